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
        val quick = args.flatMap { it.split(Regex("\\s+")) }.any { it == "quick" || it == "--quick" }
        val plan =
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
        println("kproducer benchmarks (${if (quick) "quick" else "full"}): ${plan.records} records of ${Plan.RECORD_BYTES} B, ${plan.rounds} rounds")
        val took =
            measureTime {
                val throughput = throughput(plan)
                val overhead = sendOverhead(plan)
                val startup = startup(if (quick) 1 else 3)
                report(throughput, overhead, startup)
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
    ) {
        companion object {
            const val RECORD_BYTES = 100
        }
    }

    private fun throughput(plan: Plan): List<Measurement> {
        val payload = ByteArray(Plan.RECORD_BYTES).also { Random(1).nextBytes(it) }
        val results = mutableListOf<Measurement>()
        RemoteBroker.start().use { broker ->
            println("Broker in its own JVM at ${broker.bootstrapServers} (started in ${broker.startMillis} ms)")
            Admin.create(mapOf(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to broker.bootstrapServers)).use { admin ->
                var topicNumber = 0
                // Round 0 warms up the JIT and the broker, and is not counted.
                for (round in 0..plan.rounds) {
                    for (settings in Settings.entries) {
                        // Rotate the order every round, so that no row always runs first or last.
                        val rows = Row.all.let { all -> all.drop(round % all.size) + all.take(round % all.size) }
                        for (row in rows) {
                            val topic = "bench-${topicNumber++}"
                            admin.createTopics(listOf(NewTopic(topic, 3, 1.toShort()))).all().get()
                            val full = if (row.sync) plan.syncRecords else plan.records / row.slowdown
                            val count = if (round == 0) minOf(full, 100_000) else full
                            val records = Records(topic, count, payload)
                            System.gc()
                            val timing = row.run(broker.bootstrapServers, settings, records)
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
            }
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
        val newCluster = (1..times).map { measureTime { EmbeddedKafka().use { } }.inWholeMilliseconds }
        val restart =
            EmbeddedKafka { brokers = 3 }.use { kafka ->
                (1..times).map {
                    kafka.stopBroker(2)
                    measureTime { kafka.startBroker(2) }.inWholeMilliseconds
                }
            }
        return Startup(cold.median(), newCluster.median(), restart.median())
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
        val newClusterMillis: Double,
        val restartMillis: Double,
    )

    private fun report(
        measurements: List<Measurement>,
        overhead: Map<String, Double>,
        startup: Startup,
    ) {
        println()
        println("End-to-end throughput, medians over rounds; ratio = the row's records/s over raw KafkaProducer's in the same round;")
        println("CPU = the producer JVM's CPU time per record (all its threads), and its ratio to raw's in the same round")
        println(
            "%-9s %-24s %14s %9s %10s %13s %9s %s".format("settings", "row", "records/s", "MiB/s", "ratio/raw", "CPU ns/rec", "CPU/raw", "ratio per round"),
        )
        val ratios = HashMap<Pair<Settings, String>, Double>()
        val cpuRatios = HashMap<Pair<Settings, String>, Double>()
        for (settings in Settings.entries) {
            for (row in Row.all) {
                val own = measurements.filter { it.settings == settings && it.row == row.name }
                val raw = measurements.filter { it.settings == settings && it.row == Row.RAW }.associateBy { it.round }
                val perRound = own.map { it.recordsPerSecond / raw.getValue(it.round).recordsPerSecond }
                val ratio = perRound.median()
                val cpuRatio = own.map { it.cpuNanosPerRecord / raw.getValue(it.round).cpuNanosPerRecord }.median()
                ratios[settings to row.name] = ratio
                cpuRatios[settings to row.name] = cpuRatio
                val rate = own.map { it.recordsPerSecond }.median()
                val cpu = own.map { it.cpuNanosPerRecord }.median()
                println(
                    "%-9s %-24s %,14.0f %9.1f %10.3f %13.0f %9.2f %s".format(
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
        val rawNs = overhead.getValue("rawSend")
        val sendNs = overhead.getValue("kproducerSend")
        val offerNs = overhead.getValue("kproducerOffer")
        println()
        println("CPU per send on a producer with no network (JMH, average time per call)")
        println("  Producer.send(record, callback)   %8.1f ns".format(rawNs))
        println("  kproducer send(record)            %8.1f ns   (+%.1f ns)".format(sendNs, sendNs - rawNs))
        println("  kproducer offer(record)           %8.1f ns   (+%.1f ns)".format(offerNs, offerNs - rawNs))
        println()
        println(
            "Embedded broker: cold start in a new JVM %.0f ms, new cluster in a warm JVM %.0f ms, restart of one broker of three %.0f ms (medians)"
                .format(startup.coldJvmMillis, startup.newClusterMillis, startup.restartMillis),
        )
        println()
        val tuned = Settings.TUNED
        val line =
            listOf(
                "sendAll/raw=%.2f".format(ratios.getValue(tuned to Row.SEND_ALL)),
                "flow/raw=%.2f".format(ratios.getValue(tuned to Row.FLOW)),
                "coroutines/raw=%.2f".format(ratios.getValue(tuned to Row.COROUTINES)),
                "coroutines/raw-1000-in-flight=%.2f".format(ratios.getValue(tuned to Row.COROUTINES) / ratios.getValue(tuned to Row.RAW_1000)),
                "vs-kotlin-kafka=%.2f".format(ratios.getValue(tuned to Row.SEND_ALL) / ratios.getValue(tuned to Row.KOTLIN_KAFKA)),
                "defaults-sendAll/raw=%.2f".format(ratios.getValue(Settings.DEFAULTS to Row.SEND_ALL)),
                "sendAll-cpu/raw=%.2f".format(cpuRatios.getValue(tuned to Row.SEND_ALL)),
                "flow-cpu/raw=%.2f".format(cpuRatios.getValue(tuned to Row.FLOW)),
                "coroutines-cpu/raw=%.2f".format(cpuRatios.getValue(tuned to Row.COROUTINES)),
                "send-overhead-ns=%.0f".format(sendNs - rawNs),
                "cold-start-ms=%.0f".format(startup.coldJvmMillis),
                "warm-restart-ms=%.0f".format(startup.restartMillis),
            )
        println(line.joinToString(" "))
    }

    private fun List<Number>.median(): Double {
        val sorted = map { it.toDouble() }.sorted()
        return if (sorted.size % 2 == 1) sorted[sorted.size / 2] else (sorted[sorted.size / 2 - 1] + sorted[sorted.size / 2]) / 2
    }
}
