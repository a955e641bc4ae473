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
 * records and pairs.
 *
 * 1. End-to-end throughput to a broker in its own JVM: each row in pairs with its baseline (the raw
 *    `KafkaProducer`, or the same pattern with no library), in a JVM of its own, after a warm-up
 *    that lasts until the baseline is steady ([PairedRun]); medians of the pairs' ratios, CPU first.
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
        val records = options["records"]?.toInt() ?: if (quick) 100_000 else 1_000_000
        // For one pattern: rows=launch,awaitAll (name parts; '_' for a space: rows=kproducer_launch), settings=tuned, records=N, pairs=min-max, margin=0.02,
        // budget=seconds, warmup=pairs, window=maxInFlightRecords, fork=false, only=throughput|memory|startup|fresh.
        val pairs = options["pairs"]?.split('-')?.map { it.toInt() }
        options["profile"]?.let { RunProfiler.startCommand(it) }
        val plan =
            Plan(
                syncRecords = if (quick) 200 else 2_000,
                jmhIterations = if (quick) 2 else 5,
                jmhInclude = if (quick) "(rawSend|bareSend|kproducerSend|kproducerOffer)$" else "",
                rows = options["rows"]?.split(',') ?: emptyList(),
                settings = options["settings"]?.split(',') ?: emptyList(),
                fork = options["fork"] != "false",
                pairs =
                    PairedRun.Plan(
                        records = records,
                        syncRecords = if (quick) 200 else 2_000,
                        minPairs = pairs?.first() ?: if (quick) 3 else 5,
                        maxPairs = pairs?.last() ?: if (quick) 5 else 15,
                        margin = options["margin"]?.toDouble() ?: if (quick) 0.05 else 0.02,
                        budgetSeconds = options["budget"]?.toInt() ?: if (quick) 15 else 90,
                        maxWarmUpPairs = options["warmup"]?.toInt() ?: if (quick) 4 else 10,
                        window = options["window"]?.toInt(),
                        // jvm=-XX:StartFlightRecording=filename=/tmp/{row}.jfr|-Xint: options of each forked JVM, split at '|'; {row} names the row.
                        jvmOptions = options["jvm"]?.split('|') ?: emptyList(),
                        // profile=cpu|alloc|wall: async-profiler over the measured runs, the row's and the baseline's apart, in target/profiles.
                        profile = options["profile"],
                    ),
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
            val memory = PendingMemory.measure(plan.pairs.records)
            println("pending-send-bytes=%.0f bare-pending-send-bytes=%.0f".format(memory.kproducerBytes, memory.bareBytes))
            return
        }
        println("kproducer benchmarks (${if (quick) "quick" else "full"}): ${plan.pairs.records} records of ${Plan.RECORD_BYTES} B per run")
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
        val syncRecords: Int,
        val jmhIterations: Int,
        /** A regular expression narrowing the JMH benchmarks; empty runs them all. */
        val jmhInclude: String,
        /** Parts of row names to run, in the order given (their baselines run with them); empty runs every row. */
        val rows: List<String> = emptyList(),
        /** Labels of the settings to run; empty runs both. */
        val settings: List<String> = emptyList(),
        /** Whether each row runs in a JVM of its own. */
        val fork: Boolean = true,
        val pairs: PairedRun.Plan,
    ) {
        val selectedRows: List<Row> =
            if (rows.isEmpty()) Row.all else rows.flatMap { part -> Row.all.filter { it.name.contains(part.replace('_', ' '), ignoreCase = true) } }.distinct()
        val selectedSettings: List<Settings> = if (settings.isEmpty()) Settings.entries else Settings.entries.filter { it.label in settings }

        companion object {
            const val RECORD_BYTES = 100
        }
    }

    /**
     * Every selected row in pairs with its baseline ([PairedRun]), one row after another, each in a JVM
     * of its own unless `fork=false`; the brokers run in JVMs of their own for the whole run.
     */
    private fun throughput(plan: Plan): List<PairedRun.Result> {
        val results = mutableListOf<PairedRun.Result>()
        val groups = plan.selectedRows.filter { it != Row.Raw && it != Row.RawBounded }
        val proxied = if (groups.any { it.viaProxy }) RemoteBroker.start(proxied = true) else null
        try {
            RemoteBroker.start().use { broker ->
                println("Broker in its own JVM at ${broker.bootstrapServers} (started in ${broker.startMillis} ms)")
                proxied?.let { println("Broker behind the fault proxy in its own JVM at ${it.bootstrapServers} (started in ${it.startMillis} ms)") }
                println(
                    "Each row in pairs with its baseline, ${if (plan.fork) "in a JVM of its own" else "all in this JVM"}: " +
                        "warm-up until the baseline is steady " +
                        "(at most ${plan.pairs.maxWarmUpPairs} pairs), then ${plan.pairs.minPairs}-${plan.pairs.maxPairs} pairs " +
                        "until the median is known to ±${"%.0f".format(plan.pairs.margin * 100)}% " +
                        "(or ${plan.pairs.budgetSeconds} s have gone); kproducer's maxInFlightRecords ${plan.pairs.window ?: "at its default"}",
                )
                val brokers = PairedRun.Brokers(broker.bootstrapServers, proxied?.bootstrapServers)
                for (settings in plan.selectedSettings) {
                    for (row in groups) {
                        val console = System.console() != null
                        val progress: (String) -> Unit = { if (console) print("\r  %-110s".format(it.take(110))) }
                        val result =
                            if (plan.fork) {
                                PairedRun.Forked.measure(brokers, settings, row, plan.pairs, progress)
                            } else {
                                PairedRun(brokers, settings, row, plan.pairs).measure(progress)
                            }
                        results += result
                        if (console) print("\r  %-110s\r".format(""))
                        println(
                            "  %-8s %-26s ratio %s  CPU ratio %s  (%d pairs; %s)".format(
                                settings.label,
                                row.name,
                                result.rateRatio.describe(),
                                result.cpuRatio.describe(),
                                result.pairs.size,
                                warmUp(result),
                            ),
                        )
                    }
                }
            }
        } finally {
            proxied?.close()
        }
        return results
    }

    private fun warmUp(result: PairedRun.Result): String =
        (if (result.steady) "baseline steady after ${result.warmUpPairs} warm-up pairs" else "baseline NOT steady after ${result.warmUpPairs} warm-up pairs") +
            ": " + result.warmUpRates.joinToString(" ") { "%.2f".format(it / 1e6) } + " M/s"

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
        results: List<PairedRun.Result>,
        memory: PendingMemory.Result?,
        overhead: Map<String, Double>?,
        startup: Startup?,
        fresh: FreshTopics.Result? = null,
    ) {
        if (results.isNotEmpty()) {
            println()
            println(
                "End-to-end throughput, ${plan.pairs.records} records of ${Plan.RECORD_BYTES} B per run; each row in pairs with its baseline, run back to back.",
            )
            println("CPU = the CPU time of the row's JVM per record (all its threads: Kafka's I/O thread and the collector included; not the broker's).")
            println("Ratios are medians over pairs of row/baseline, ±95% interval of the median, [range over all pairs].")
            println(
                "%-9s %-26s %-20s %12s %12s  %-28s %-28s %5s".format(
                    "settings",
                    "row",
                    "baseline",
                    "records/s",
                    "CPU ns/rec",
                    "CPU ratio",
                    "rate ratio",
                    "pairs",
                ),
            )
            for (result in results) {
                val rate = Spread.of(result.pairs.map { it.row.recordsPerSecond }).median
                val cpu = Spread.of(result.pairs.map { it.row.cpuNanosPerRecord }).median
                println(
                    "%-9s %-26s %-20s %,12.0f %12.0f  %-28s %-28s %5d".format(
                        result.settings.label,
                        result.row.name,
                        result.row.baseline.name,
                        rate,
                        cpu,
                        result.cpuRatio.describe(),
                        result.rateRatio.describe(),
                        result.pairs.size,
                    ),
                )
            }
            for (baseline in results.map { it.settings to it.row.baseline }.distinct()) {
                val runs = results.filter { it.settings == baseline.first && it.row.baseline == baseline.second }.flatMap { r -> r.pairs.map { it.baseline } }
                println(
                    "%-9s %-26s %-20s %,12.0f %12.0f  (baseline: every run beside the rows above; records/s range %,.0f-%,.0f)".format(
                        baseline.first.label,
                        baseline.second.name,
                        "",
                        Spread.of(runs.map { it.recordsPerSecond }).median,
                        Spread.of(runs.map { it.cpuNanosPerRecord }).median,
                        runs.minOf { it.recordsPerSecond },
                        runs.maxOf { it.recordsPerSecond },
                    ),
                )
            }
            val unsteady = results.filter { !it.steady }
            println(
                if (unsteady.isEmpty()) {
                    "Warm-up: every baseline was steady (CPU per record within ${"%.0f".format(
                        plan.pairs.steadySpread * 100,
                    )}% over its last three runs) before measuring."
                } else {
                    "Warm-up: the baseline was NOT steady after ${plan.pairs.maxWarmUpPairs} pairs for: " +
                        unsteady.joinToString { "${it.settings.label} ${it.row.name}" }
                },
            )
            val unknown = results.filter { it.rateRatio.relativeHalfWidth > plan.pairs.margin || it.cpuRatio.relativeHalfWidth > plan.pairs.margin }
            if (unknown.isNotEmpty()) {
                println(
                    "Not known to ±${"%.0f".format(plan.pairs.margin * 100)}% within the pairs and time allowed: " +
                        unknown.joinToString { "${it.settings.label} ${it.row.name}" },
                )
            }
        }
        if (overhead != null) {
            val rawNs = overhead.getValue("rawSend")
            println()
            println("CPU per send on a producer with no network (JMH, average time per call)")
            println("  Producer.send(record, callback)   %8.1f ns".format(rawNs))
            for ((name, label) in listOf("kproducerSend" to "kproducer send(record), in a loop", "kproducerOffer" to "kproducer offer(record)")) {
                val ns = overhead.getValue(name)
                println("  %-32s %8.1f ns   (+%.1f ns)".format(label, ns, ns - rawNs))
            }
            overhead["bareSend"]?.let { ns ->
                println("  %-32s %8.1f ns   (+%.1f ns: the floor of a suspending send, no library)".format("bare suspendCancellableCoroutine", ns, ns - rawNs))
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
        for (settings in listOf(Settings.TUNED, Settings.DEFAULTS)) {
            val prefix = if (settings == Settings.DEFAULTS) "defaults-" else ""
            val own = results.filter { it.settings == settings }.associateBy { it.row }

            fun rate(row: Row) = own[row]?.rateRatio?.median

            fun cpu(row: Row) = own[row]?.cpuRatio?.median

            fun add(
                key: String,
                value: Double?,
            ) {
                value?.let { line += "$prefix$key=%.2f".format(it) }
            }
            add("sendAll/raw", rate(Row.SendAll))
            add("sendAllSettled/raw", rate(Row.SendAllSettled))
            add("flow/raw", rate(Row.FlowRow))
            add("sendAsync/raw", rate(Row.SendAsync))
            add("raw-futures/raw", rate(Row.RawFutures))
            add("offer/raw", rate(Row.OfferFlush))
            add("launch/bare", rate(Row.Launch))
            add("awaitAll/bare", rate(Row.AwaitAll))
            add("bare-launch/raw", rate(Row.BareLaunch))
            add("launch/raw", rate(Row.Launch)?.let { l -> rate(Row.BareLaunch)?.let { l * it } })
            add("awaitAll/raw", rate(Row.AwaitAll)?.let { a -> rate(Row.BareAwaitAll)?.let { a * it } })
            add("proxy/raw", rate(Row.RawProxied))
            add("coroutines/raw-1000-in-flight", rate(Row.Coroutines))
            add("vs-kotlin-kafka", rate(Row.SendAll)?.let { s -> rate(Row.KotlinKafka)?.let { s / it } })
            add("cpu-sendAll/raw", cpu(Row.SendAll))
            add("cpu-sendAllSettled/raw", cpu(Row.SendAllSettled))
            add("cpu-flow/raw", cpu(Row.FlowRow))
            add("cpu-sendAsync/raw", cpu(Row.SendAsync))
            add("cpu-raw-futures/raw", cpu(Row.RawFutures))
            add("cpu-offer/raw", cpu(Row.OfferFlush))
            add("cpu-launch/bare", cpu(Row.Launch))
            add("cpu-awaitAll/bare", cpu(Row.AwaitAll))
        }
        if (overhead != null) {
            val rawNs = overhead.getValue("rawSend")
            line += "send-overhead-ns=%.0f".format(overhead.getValue("kproducerSend") - rawNs)
            line += "offer-overhead-ns=%.0f".format(overhead.getValue("kproducerOffer") - rawNs)
            overhead["bareSend"]?.let { line += "bare-send-overhead-ns=%.0f".format(it - rawNs) }
            val loopNs = overhead["rawLoop"]
            if (loopNs != null) {
                overhead["kproducerSendAll"]?.let { line += "sendAll-overhead-ns=%.0f".format(it - loopNs) }
                overhead["kproducerFlow"]?.let { line += "flow-overhead-ns=%.0f".format(it - loopNs) }
            }
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
