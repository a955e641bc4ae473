package io.github.kproducer.bench

import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.admin.NewTopic
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.util.concurrent.TimeUnit
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * One row measured against its baseline ([Row.baseline]), run by run, in pairs: the row and its
 * baseline back to back, the order alternating, each on a fresh topic after a collection. A drift of
 * the machine (another process, the broker's JIT, a collection) hits both halves of a pair alike, so
 * the ratio of a pair is steadier than either rate.
 *
 * 1. **Warm-up until the baseline is steady.** Pairs run, uncounted, until the baseline's CPU per
 *    record over its last three runs spreads by at most [Plan.steadySpread] (and its rate by at most
 *    twice that), or [Plan.maxWarmUpPairs] pairs have run; [Result.steady] says which.
 * 2. **Pairs until the median is known.** Pairs run until the 95% interval of the median pair ratio
 *    ([Spread.halfWidth]) is within [Plan.margin] for both the CPU ratio and the rate ratio, at least
 *    [Plan.minPairs] and at most [Plan.maxPairs] pairs, or until [Plan.budgetSeconds] have gone.
 *
 * Runs in the JVM it is called in: [fork] starts a JVM of its own for it, so that no other row's
 * garbage, JIT profile or threads land on this one's figures.
 */
internal class PairedRun(
    private val brokers: Brokers,
    private val settings: Settings,
    private val row: Row,
    private val plan: Plan,
) {
    /** The brokers rows send to: [plain], and [proxied] (behind the fault proxy) for the rows that need it. */
    class Brokers(
        val plain: String,
        val proxied: String?,
    )

    /** How long and how exactly to measure; see [PairedRun]. */
    class Plan(
        val records: Int,
        val syncRecords: Int,
        val minPairs: Int,
        val maxPairs: Int,
        /** The 95% half-width of the median ratio, relative to the median, at which measuring stops. */
        val margin: Double,
        val budgetSeconds: Int,
        val maxWarmUpPairs: Int,
        /** How far apart (max over min, less one) the baseline's last three warm-up runs may be to count as steady. */
        val steadySpread: Double = 0.05,
        /** kproducer's `maxInFlightRecords` for kproducer rows; null keeps its default. */
        val window: Int? = null,
        /** Options for a forked JVM (a JFR recording, say). */
        val jvmOptions: List<String> = emptyList(),
        /** `cpu`, `alloc` or `wall` to profile the measured runs ([RunProfiler]); null for none. */
        val profile: String? = null,
    ) {
        fun arguments(): List<String> =
            listOf(
                "records=$records",
                "syncRecords=$syncRecords",
                "minPairs=$minPairs",
                "maxPairs=$maxPairs",
                "margin=$margin",
                "budgetSeconds=$budgetSeconds",
                "maxWarmUpPairs=$maxWarmUpPairs",
                "steadySpread=$steadySpread",
            ) + listOfNotNull(window?.let { "window=$it" }, profile?.let { "profile=$it" })

        companion object {
            fun parse(options: Map<String, String>): Plan =
                Plan(
                    records = options.getValue("records").toInt(),
                    syncRecords = options.getValue("syncRecords").toInt(),
                    minPairs = options.getValue("minPairs").toInt(),
                    maxPairs = options.getValue("maxPairs").toInt(),
                    margin = options.getValue("margin").toDouble(),
                    budgetSeconds = options.getValue("budgetSeconds").toInt(),
                    maxWarmUpPairs = options.getValue("maxWarmUpPairs").toInt(),
                    steadySpread = options.getValue("steadySpread").toDouble(),
                    window = options["window"]?.toInt(),
                    profile = options["profile"],
                )
        }
    }

    /** One run of a row or its baseline: records per second and CPU nanoseconds per record (all threads of the JVM). */
    class Run(
        val recordsPerSecond: Double,
        val cpuNanosPerRecord: Double,
    )

    /** One measured pair. */
    class PairOfRuns(
        val row: Run,
        val baseline: Run,
    ) {
        val rateRatio: Double get() = row.recordsPerSecond / baseline.recordsPerSecond
        val cpuRatio: Double get() = row.cpuNanosPerRecord / baseline.cpuNanosPerRecord
    }

    /** What a [PairedRun] measured. */
    class Result(
        val row: Row,
        val settings: Settings,
        /** Whether the baseline became steady during the warm-up. */
        val steady: Boolean,
        val warmUpPairs: Int,
        /** The baseline's records per second over the warm-up, in order: how far it climbed. */
        val warmUpRates: List<Double>,
        val pairs: List<PairOfRuns>,
    ) {
        val rateRatio: Spread get() = Spread.of(pairs.map { it.rateRatio })
        val cpuRatio: Spread get() = Spread.of(pairs.map { it.cpuRatio })
    }

    /** Profiles the measured pairs when [Plan.profile] asks; not the warm-up. */
    private val profiler = plan.profile?.let { RunProfiler(it, File(PROFILES)) }
    private var profiling = false

    private val payload = ByteArray(Benchmarks.Plan.RECORD_BYTES).also { Random(1).nextBytes(it) }
    private var topicNumber = 0

    /** Measures, reporting progress through [progress]; see [PairedRun]. */
    fun measure(progress: (String) -> Unit = {}): Result =
        Admin.create(admins()).use { admin ->
            val proxiedAdmin =
                brokers.proxied?.takeIf { row.viaProxy }?.let {
                    Admin.create(
                        mapOf<String, Any>(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to it),
                    )
                }
            try {
                val warmUpRates = ArrayList<Double>()
                val warmUpCpu = ArrayList<Double>()
                var steady = false
                var warmUpPairs = 0
                while (!steady && warmUpPairs < plan.maxWarmUpPairs) {
                    val pair = pair(admin, proxiedAdmin, warmUpPairs)
                    warmUpPairs++
                    warmUpRates += pair.baseline.recordsPerSecond
                    warmUpCpu += pair.baseline.cpuNanosPerRecord
                    steady = steady(warmUpRates, warmUpCpu)
                    progress(
                        "warm-up ${settings.label} ${row.name}: baseline %,.0f records/s, %.0f ns/record".format(
                            pair.baseline.recordsPerSecond,
                            pair.baseline.cpuNanosPerRecord,
                        ),
                    )
                }
                val pairs = ArrayList<PairOfRuns>()
                val started = TimeSource.Monotonic.markNow()
                profiling = profiler != null
                while (pairs.size < plan.maxPairs) {
                    val pair = pair(admin, proxiedAdmin, warmUpPairs + pairs.size)
                    pairs += pair
                    progress("pair ${pairs.size} ${settings.label} ${row.name}: ratio %.3f, CPU ratio %.3f".format(pair.rateRatio, pair.cpuRatio))
                    if (pairs.size < plan.minPairs) continue
                    val known =
                        Spread.of(pairs.map { it.rateRatio }).relativeHalfWidth <= plan.margin &&
                            Spread.of(pairs.map { it.cpuRatio }).relativeHalfWidth <= plan.margin
                    if (known || started.elapsedNow() > plan.budgetSeconds.seconds) break
                }
                profiler?.write(settings, row)
                Result(row, settings, steady, warmUpPairs, warmUpRates, pairs)
            } finally {
                proxiedAdmin?.close()
            }
        }

    private fun admins(): Map<String, Any> = mapOf(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to brokers.plain)

    private fun steady(
        rates: List<Double>,
        cpu: List<Double>,
    ): Boolean {
        if (rates.size < 3) return false
        val lastRates = rates.takeLast(3)
        val lastCpu = cpu.takeLast(3)
        return lastCpu.max() / lastCpu.min() - 1 <= plan.steadySpread && lastRates.max() / lastRates.min() - 1 <= 2 * plan.steadySpread
    }

    /** The row and its baseline back to back; the baseline first in even pairs, second in odd ones. */
    private fun pair(
        admin: Admin,
        proxiedAdmin: Admin?,
        number: Int,
    ): PairOfRuns =
        if (number % 2 == 0) {
            val baseline = once(row.baseline, admin)
            PairOfRuns(once(row, proxiedAdmin ?: admin), baseline)
        } else {
            val measured = once(row, proxiedAdmin ?: admin)
            PairOfRuns(measured, once(row.baseline, admin))
        }

    /** One run of [which] on a fresh 3-partition topic, after a collection, so that no garbage of the run before lands on it. */
    private fun once(
        which: Row,
        admin: Admin,
    ): Run {
        val bootstrap = if (which.viaProxy) brokers.proxied!! else brokers.plain
        val topic = "bench-${ProcessHandle.current().pid()}-${topicNumber++}"
        admin.createTopics(listOf(NewTopic(topic, 3, 1.toShort()))).all().get()
        try {
            val count = if (which.sync) plan.syncRecords else plan.records / which.slowdown
            val records = Records(topic, count, payload)
            System.gc()
            val timing =
                if (profiling) {
                    profiler!!.profile(baseline = which !== row) { which.run(Target(bootstrap, plan.window), settings, records) }
                } else {
                    which.run(Target(bootstrap, plan.window), settings, records)
                }
            return Run(count / timing.seconds, timing.cpuNanos.toDouble() / count)
        } finally {
            admin.deleteTopics(listOf(topic)).all().get()
        }
    }

    private companion object {
        /** Where [RunProfiler] writes, relative to the bench's directory. */
        const val PROFILES = "target/profiles"
    }

    /** Runs one [PairedRun] in a JVM of its own ([main]) and reads its figures back. */
    internal object Forked {
        private const val MARK = "@@pair "

        /** Starts the JVM, relays its progress to [progress], and returns what it measured. */
        fun measure(
            brokers: Brokers,
            settings: Settings,
            row: Row,
            plan: Plan,
            progress: (String) -> Unit,
        ): Result {
            val java = "${System.getProperty("java.home")}/bin/java"
            val arguments =
                listOf(
                    "plain=${brokers.plain}",
                    "proxied=${brokers.proxied ?: ""}",
                    "settings=${settings.name}",
                    "row=${row.name}",
                ) + plan.arguments()
            val process =
                ProcessBuilder(
                    listOf(java, "-Xmx2g") + plan.jvmOptions.map { it.replace("{row}", row.name.replace(Regex("[^A-Za-z0-9]+"), "-")) } +
                        listOf("-cp", System.getProperty("java.class.path"), PairedRunProcess::class.java.name) + arguments,
                ).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start()
            process.outputStream.close()
            var steady = false
            var warmUpPairs = 0
            var warmUpRates = emptyList<Double>()
            val pairs = ArrayList<PairOfRuns>()
            var ended = false
            BufferedReader(InputStreamReader(process.inputStream)).useLines { lines ->
                for (line in lines) {
                    if (!line.startsWith(MARK)) continue
                    val words = line.removePrefix(MARK).split(' ')
                    when (words[0]) {
                        "progress" -> {
                            progress(line.removePrefix(MARK + "progress "))
                        }

                        "warm" -> {
                            steady = words[1].toBoolean()
                            warmUpPairs = words[2].toInt()
                            warmUpRates = words.drop(3).map { it.toDouble() }
                        }

                        "pair" -> {
                            pairs += PairOfRuns(Run(words[1].toDouble(), words[2].toDouble()), Run(words[3].toDouble(), words[4].toDouble()))
                        }

                        "end" -> {
                            ended = true
                        }
                    }
                }
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly()
            check(ended && process.exitValue() == 0) {
                "The JVM measuring '${row.name}' (${settings.label}) failed with exit code ${process.exitValue()}; its errors are above"
            }
            return Result(row, settings, steady, warmUpPairs, warmUpRates, pairs)
        }

        /** Writes [result] for [measure] to read. */
        fun write(
            result: Result,
            out: (String) -> Unit,
        ) {
            out(MARK + "warm ${result.steady} ${result.warmUpPairs} " + result.warmUpRates.joinToString(" "))
            for (pair in result.pairs) {
                out(
                    MARK +
                        "pair ${pair.row.recordsPerSecond} ${pair.row.cpuNanosPerRecord} ${pair.baseline.recordsPerSecond} ${pair.baseline.cpuNanosPerRecord}",
                )
            }
            out(MARK + "end")
        }

        fun progress(
            line: String,
            out: (String) -> Unit,
        ) = out(MARK + "progress " + line)
    }
}

/** The JVM of one forked [PairedRun]: `key=value` arguments in, `@@pair` lines out. */
public object PairedRunProcess {
    /** Runs one [PairedRun]; see [PairedRun.Forked]. */
    @JvmStatic
    public fun main(args: Array<String>) {
        val options = args.associate { it.substringBefore('=') to it.substringAfter('=') }
        val brokers = PairedRun.Brokers(options.getValue("plain"), options.getValue("proxied").ifEmpty { null })
        val settings = Settings.valueOf(options.getValue("settings"))
        val row = Row.all.first { it.name == options.getValue("row") }
        val out: (String) -> Unit = { line ->
            println(line)
            System.out.flush()
        }
        val result = PairedRun(brokers, settings, row, PairedRun.Plan.parse(options)).measure { PairedRun.Forked.progress(it, out) }
        PairedRun.Forked.write(result, out)
        // Kafka's and the coroutines' threads must not keep the JVM alive.
        System.exit(0)
    }
}
