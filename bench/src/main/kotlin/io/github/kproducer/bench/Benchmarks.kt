package io.github.kproducer.bench

import io.github.kproducer.testkit.EmbeddedKafka
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.admin.NewTopic
import org.openjdk.jmh.annotations.Mode
import org.openjdk.jmh.runner.Runner
import org.openjdk.jmh.runner.options.OptionsBuilder
import org.openjdk.jmh.runner.options.TimeValue
import java.util.concurrent.TimeUnit
import kotlin.random.Random
import kotlin.time.measureTime

/**
 * Runs every benchmark and prints a table; the last line is machine-readable. `quick` runs fewer
 * records and rounds (under two minutes).
 *
 * 1. End-to-end throughput to a broker in its own JVM, rows interleaved round by round, medians
 *    reported as ratios to the raw `KafkaProducer` of the same round.
 * 2. JMH: the CPU cost of one send through kproducer against `Producer.send`, no network.
 * 3. Embedded broker cold start and warm restart.
 */
public object Benchmarks {
    /** Runs the benchmarks; `quick` as an argument shortens them. */
    @JvmStatic
    public fun main(args: Array<String>) {
        val words = args.flatMap { it.split(Regex("\\s+")) }.filter { it.isNotEmpty() }
        val quick = words.any { it == "quick" || it == "--quick" }
        val options = words.filter { '=' in it }.associate { it.substringBefore('=') to it.substringAfter('=') }
        val base =
            if (quick) {
                Plan(
                    records = 100_000,
                    rounds = 3,
                    syncRecords = 200,
                    jmhIterations = 2,
                    jmhInclude = "(rawSend|kproducerSend|kproducerOffer)$",
                )
            } else {
                Plan(1_000_000, 5, 2_000, 5, "")
            }
        // For profiling one pattern: rows=launch,raw (name parts), settings=tuned, records=N, rounds=N, only=throughput|memory|startup.
        val plan =
            Plan(
                records = options["records"]?.toInt() ?: base.records,
                rounds = options["rounds"]?.toInt() ?: base.rounds,
                syncRecords = base.syncRecords,
                jmhIterations = base.jmhIterations,
                jmhInclude = base.jmhInclude,
                rows = options["rows"]?.split(',') ?: emptyList(),
                settings = options["settings"]?.split(',') ?: emptyList(),
            )
        val only = options["only"]
        if (only == "startup") {
            report(plan, emptyList(), null, null, startup(options["times"]?.toInt() ?: 3))
            return
        }
        if (only == "fresh") {
            report(plan, emptyList(), null, null, null, freshTopics(options["rounds"]?.toInt() ?: 10))
            return
        }
        if (only == "memory") {
            val memory = PendingMemory.measure(plan.records)
            println("pending-send-bytes=%.0f bare-pending-send-bytes=%.0f".format(memory.kproducerBytes, memory.bareBytes))
            return
        }
        println("kproducer benchmarks (${if (quick) "quick" else "full"}): ${plan.records} records of ${Plan.RECORD_BYTES} B, ${plan.rounds} rounds")
        val took =
            measureTime {
                val throughput = throughput(plan)
                if (only == "throughput") {
                    report(plan, throughput, null, null, null)
                } else {
                    val memory = PendingMemory.measure(if (quick) 200_000 else 1_000_000)
                    val overhead = sendOverhead(plan)
                    val startup = startup(if (quick) 1 else 3)
                    val fresh = freshTopics(if (quick) 3 else 10)
                    report(plan, throughput, memory, overhead, startup, fresh)
                }
            }
        println("(${took.inWholeSeconds} s in all)")
    }

    internal class Plan(
        val records: Int,
        val rounds: Int,
        val syncRecords: Int,
        val jmhIterations: Int,
        /** A regular expression narrowing the JMH benchmarks; empty runs them all. */
        val jmhInclude: String,
        /** Parts of row names to run (raw always runs: every ratio needs it); empty runs every row. */
        val rows: List<String> = emptyList(),
        /** Labels of the settings to run; empty runs both. */
        val settings: List<String> = emptyList(),
    ) {
        val selectedRows: List<Row> =
            if (rows.isEmpty()) Row.all else Row.all.filter { row -> row == Row.Raw || rows.any { row.name.contains(it, ignoreCase = true) } }
        val selectedSettings: List<Settings> = if (settings.isEmpty()) Settings.entries else Settings.entries.filter { it.label in settings }

        companion object {
            const val RECORD_BYTES = 100
        }
    }

    private fun throughput(plan: Plan): List<Measurement> {
        val payload = ByteArray(Plan.RECORD_BYTES).also { Random(1).nextBytes(it) }
        val results = mutableListOf<Measurement>()
        val proxied = if (plan.selectedRows.any { it.viaProxy }) RemoteBroker.start(proxied = true) else null
        try {
            RemoteBroker.start().use { broker ->
                println("Broker in its own JVM at ${broker.bootstrapServers} (started in ${broker.startMillis} ms)")
                proxied?.let { println("Broker behind the fault proxy in its own JVM at ${it.bootstrapServers} (started in ${it.startMillis} ms)") }
                val admins =
                    listOfNotNull(
                        broker,
                        proxied,
                    ).associateWith { Admin.create(mapOf(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to it.bootstrapServers)) }
                try {
                    var topicNumber = 0
                    // Round 0 warms up the JIT and the broker, and is not counted.
                    for (round in 0..plan.rounds) {
                        for (settings in plan.selectedSettings) {
                            // Rotate the order every round, so that no row always runs first or last.
                            val rows = plan.selectedRows.let { all -> all.drop(round % all.size) + all.take(round % all.size) }
                            for (row in rows) {
                                val target = if (row.viaProxy) proxied!! else broker
                                val admin = admins.getValue(target)
                                val topic = "bench-${topicNumber++}"
                                admin.createTopics(listOf(NewTopic(topic, 3, 1.toShort()))).all().get()
                                val full = if (row.sync) plan.syncRecords else plan.records / row.slowdown
                                val count = if (round == 0) minOf(full, 100_000) else full
                                val records = Records(topic, count, payload)
                                System.gc()
                                val timing = row.run(target.bootstrapServers, settings, records)
                                val seconds = timing.seconds
                                if (round > 0) results += Measurement(row.name, settings, round, count / seconds, timing.cpuNanos.toDouble() / count)
                                print(
                                    "\r  round $round/${plan.rounds} ${settings.label.padEnd(
                                        8,
                                    )} ${row.name.padEnd(22)} %,12.0f records/s   ".format(count / seconds),
                                )
                                admin.deleteTopics(listOf(topic)).all().get()
                            }
                        }
                    }
                    println()
                } finally {
                    admins.values.forEach { it.close() }
                }
            }
        } finally {
            proxied?.close()
        }
        return results
    }

    private fun sendOverhead(plan: Plan): Map<String, Double> {
        val options =
            OptionsBuilder()
                .include(SendOverheadBenchmark::class.java.name + if (plan.jmhInclude.isEmpty()) "" else ".${plan.jmhInclude}")
                .forks(1)
                .warmupIterations(plan.jmhIterations)
                .measurementIterations(plan.jmhIterations)
                .warmupTime(TimeValue.seconds(1))
                .measurementTime(TimeValue.seconds(1))
                .mode(Mode.AverageTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .jvmArgs("-Xmx1g")
                .shouldDoGC(true)
                .build()
        return Runner(options).run().associate { it.params.benchmark.substringAfterLast('.') to it.primaryResult.score }
    }

    private fun startup(times: Int): Startup {
        val cold = (1..times).map { RemoteBroker.start().use { it.startMillis } }
        // The option testkit/README.md suggests for small CI machines: C1 only, so the JIT takes less of the start.
        val coldC1 = (1..times).map { RemoteBroker.start("-XX:TieredStopAtLevel=1").use { it.startMillis } }
        // Interleaved, the order alternating, so that neither kind always runs on the less warm JVM.
        val newCluster = ArrayList<Long>()
        val newProxiedCluster = ArrayList<Long>()
        EmbeddedKafka().use { }
        for (i in 1..times) {
            val plain = { newCluster += measureTime { EmbeddedKafka().use { } }.inWholeMilliseconds }
            val proxied = { newProxiedCluster += measureTime { EmbeddedKafka { faultProxy = true }.use { } }.inWholeMilliseconds }
            if (i % 2 == 0) plain().also { proxied() } else proxied().also { plain() }
        }
        val restart =
            EmbeddedKafka { brokers = 3 }.use { kafka ->
                (1..times).map {
                    kafka.stopBroker(2)
                    measureTime { kafka.startBroker(2) }.inWholeMilliseconds
                }
            }
        val createTopic =
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("warm-up", partitions = 3)
                (1..maxOf(times, 3)).map { measureTime { kafka.createTopic("topic-$it", partitions = 3) }.inWholeMilliseconds }
            }
        return Startup(cold.median(), coldC1.median(), newCluster.median(), restart.median(), createTopic.median(), newProxiedCluster.median())
    }

    internal class Measurement(
        val row: String,
        val settings: Settings,
        val round: Int,
        val recordsPerSecond: Double,
        /** CPU of the producer's JVM per record: steadier than the rate on a shared machine. */
        val cpuNanosPerRecord: Double,
    )

    internal class Startup(
        val coldJvmMillis: Double,
        /** The same with `-XX:TieredStopAtLevel=1` in the broker's JVM. */
        val coldJvmC1Millis: Double,
        val newClusterMillis: Double,
        val restartMillis: Double,
        /** `createTopic` of 3 partitions in a warm single-broker cluster, until it returns (ready to produce). */
        val createTopicMillis: Double,
        /** A new cluster with the fault proxy in a warm JVM: with [newClusterMillis], what the proxy adds to a start. */
        val newProxiedClusterMillis: Double,
    )

    /** The fresh-topic rounds of [FreshTopics], 10,000 records each. */
    private fun freshTopics(rounds: Int): FreshTopics.Result = FreshTopics.measure(rounds, 10_000) { it.median() }

    private fun report(
        plan: Plan,
        measurements: List<Measurement>,
        memory: PendingMemory.Result?,
        overhead: Map<String, Double>?,
        startup: Startup?,
        fresh: FreshTopics.Result? = null,
    ) {
        println()
        println("End-to-end throughput, medians over rounds; ratio = the row's records/s over raw KafkaProducer's in the same round;")
        println("CPU = the producer JVM's CPU time per record (all its threads), and its ratio to raw's in the same round")
        println(
            "%-9s %-26s %14s %9s %10s %13s %9s %s".format("settings", "row", "records/s", "MiB/s", "ratio/raw", "CPU ns/rec", "CPU/raw", "ratio per round"),
        )
        val ratios = HashMap<Pair<Settings, String>, Double>()
        val cpuRatios = HashMap<Pair<Settings, String>, Double>()
        for (settings in plan.selectedSettings) {
            for (row in plan.selectedRows) {
                val own = measurements.filter { it.settings == settings && it.row == row.name }
                if (own.isEmpty()) continue
                val raw = measurements.filter { it.settings == settings && it.row == Row.RAW }.associateBy { it.round }
                val perRound = own.map { it.recordsPerSecond / raw.getValue(it.round).recordsPerSecond }
                val ratio = perRound.median()
                val cpuRatio = own.map { it.cpuNanosPerRecord / raw.getValue(it.round).cpuNanosPerRecord }.median()
                ratios[settings to row.name] = ratio
                cpuRatios[settings to row.name] = cpuRatio
                val rate = own.map { it.recordsPerSecond }.median()
                val cpu = own.map { it.cpuNanosPerRecord }.median()
                println(
                    "%-9s %-26s %,14.0f %9.1f %10.3f %13.0f %9.2f %s".format(
                        settings.label,
                        row.name,
                        rate,
                        rate * Plan.RECORD_BYTES / (1024 * 1024),
                        ratio,
                        cpu,
                        cpuRatio,
                        perRound.joinToString(" ") { "%.2f".format(it) },
                    ),
                )
            }
        }
        if (overhead != null) {
            val rawNs = overhead.getValue("rawSend")
            println()
            println("CPU per send on a producer with no network (JMH, average time per call)")
            println("  Producer.send(record, callback)   %8.1f ns".format(rawNs))
            for ((name, label) in listOf("kproducerSend" to "kproducer send(record)", "kproducerOffer" to "kproducer offer(record)")) {
                val ns = overhead.getValue(name)
                println("  %-32s %8.1f ns   (+%.1f ns)".format(label, ns, ns - rawNs))
            }
            val loopNs = overhead["rawLoop"]
            if (loopNs != null) {
                println("  Producer.send over a list        %8.1f ns per record".format(loopNs))
                for ((name, label) in listOf("kproducerSendAll" to "kproducer sendAll(list)", "kproducerFlow" to "kproducer sendAll(flow)")) {
                    val ns = overhead[name] ?: continue
                    println("  %-32s %8.1f ns per record   (+%.1f ns)".format(label, ns, ns - loopNs))
                }
            }
        }
        if (memory != null) {
            println()
            println(
                "Heap per pending send, coroutine per record: kproducer send %.0f B, bare suspendCancellableCoroutine %.0f B (kproducer adds %.0f B)"
                    .format(memory.kproducerBytes, memory.bareBytes, memory.kproducerBytes - memory.bareBytes),
            )
        }
        if (fresh != null) {
            println()
            println(
                "A fresh 3-partition topic, ${fresh.records} records (tuned): raw KafkaProducer %.1f ms, kproducer sendAll %.1f ms, kproducer's extra %.1f ms (medians over %d rounds; per round raw/kproducer ms: %s)"
                    .format(
                        fresh.rawMillis,
                        fresh.kproducerMillis,
                        fresh.extraMillis,
                        fresh.perRound.size,
                        fresh.perRound.joinToString(" ") { "%.0f/%.0f".format(it.first, it.second) },
                    ),
            )
        }
        if (startup != null) {
            println()
            println(
                (
                    "Embedded broker: cold start in a new JVM %.0f ms (%.0f ms with C1 only), new cluster in a warm JVM %.0f ms, " +
                        "restart of one broker of three %.0f ms, createTopic of 3 partitions %.0f ms, new cluster with the fault proxy %.0f ms (medians)"
                ).format(
                    startup.coldJvmMillis,
                    startup.coldJvmC1Millis,
                    startup.newClusterMillis,
                    startup.restartMillis,
                    startup.createTopicMillis,
                    startup.newProxiedClusterMillis,
                ),
            )
        }
        println()
        val line = mutableListOf<String>()

        fun ratio(
            key: String,
            settings: Settings,
            row: String,
            of: Map<Pair<Settings, String>, Double> = ratios,
        ) {
            of[settings to row]?.let { line += "$key=%.2f".format(it) }
        }
        val tuned = Settings.TUNED
        val defaults = Settings.DEFAULTS
        ratio("sendAll/raw", tuned, Row.SEND_ALL)
        ratio("flow/raw", tuned, Row.FLOW)
        ratio("launch/raw", tuned, Row.LAUNCH)
        ratio("awaitAll/raw", tuned, Row.AWAIT_ALL)
        ratio("sendAsync/raw", tuned, Row.SEND_ASYNC)
        ratio("offer/raw", tuned, Row.OFFER)
        ratio("proxy/raw", tuned, Row.RAW_PROXIED)
        ratio("defaults-proxy/raw", defaults, Row.RAW_PROXIED)
        for (settings in listOf(tuned, defaults)) {
            val coroutines = ratios[settings to Row.COROUTINES]
            val bounded = ratios[settings to Row.RAW_1000]
            if (coroutines != null && bounded != null) {
                val prefix = if (settings == defaults) "defaults-" else ""
                line += "${prefix}coroutines/raw-1000-in-flight=%.2f".format(coroutines / bounded)
            }
        }
        val kotlinKafka = ratios[tuned to Row.KOTLIN_KAFKA]
        val sendAll = ratios[tuned to Row.SEND_ALL]
        if (kotlinKafka != null && sendAll != null) line += "vs-kotlin-kafka=%.2f".format(sendAll / kotlinKafka)
        ratio("defaults-sendAll/raw", defaults, Row.SEND_ALL)
        ratio("defaults-flow/raw", defaults, Row.FLOW)
        ratio("defaults-launch/raw", defaults, Row.LAUNCH)
        ratio("sendAll-cpu/raw", tuned, Row.SEND_ALL, cpuRatios)
        ratio("flow-cpu/raw", tuned, Row.FLOW, cpuRatios)
        ratio("launch-cpu/raw", tuned, Row.LAUNCH, cpuRatios)
        if (overhead != null) {
            val rawNs = overhead.getValue("rawSend")
            line += "send-overhead-ns=%.0f".format(overhead.getValue("kproducerSend") - rawNs)
            line += "offer-overhead-ns=%.0f".format(overhead.getValue("kproducerOffer") - rawNs)
        }
        if (memory != null) {
            line += "pending-send-bytes=%.0f".format(memory.kproducerBytes)
            line += "bare-pending-send-bytes=%.0f".format(memory.bareBytes)
        }
        if (startup != null) {
            line += "cold-start-ms=%.0f".format(startup.coldJvmMillis)
            line += "cold-start-c1-ms=%.0f".format(startup.coldJvmC1Millis)
            line += "new-cluster-ms=%.0f".format(startup.newClusterMillis)
            line += "warm-restart-ms=%.0f".format(startup.restartMillis)
            line += "create-topic-ms=%.0f".format(startup.createTopicMillis)
            line += "new-proxied-cluster-ms=%.0f".format(startup.newProxiedClusterMillis)
        }
        if (fresh != null) {
            line += "fresh-topic-raw-ms=%.1f".format(fresh.rawMillis)
            line += "fresh-topic-kproducer-ms=%.1f".format(fresh.kproducerMillis)
            line += "fresh-topic-extra-ms=%.1f".format(fresh.extraMillis)
        }
        println(line.joinToString(" "))
    }

    private fun List<Number>.median(): Double {
        val sorted = map { it.toDouble() }.sorted()
        return if (sorted.size % 2 == 1) sorted[sorted.size / 2] else (sorted[sorted.size / 2 - 1] + sorted[sorted.size / 2]) / 2
    }
}
