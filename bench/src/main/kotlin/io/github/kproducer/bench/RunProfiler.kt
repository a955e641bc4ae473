package io.github.kproducer.bench

import one.profiler.AsyncProfiler
import java.io.File

/**
 * Profiles the measured runs of a [PairedRun] with async-profiler, the row's runs and the baseline's
 * apart, so that a profile shows where a row spends what its baseline does not. Warm-up runs are not
 * profiled. [event] is `cpu` (sampled by an interval timer, which needs no perf events, 1 ms: every
 * thread, the collector's and the JIT's included), `alloc` or `wall`.
 *
 * A profiled run's figures include the profiler's own cost: a profile shows where the CPU goes, not how much.
 * Each run starts a fresh profile; its folded stacks are added to the row's or the baseline's totals,
 * which [write] puts in [directory] as `<settings>-<row>.collapsed` and `<settings>-<row>-baseline.collapsed`
 * (one line per stack, `frame;frame;... count`: the input of flame graph tools).
 */
internal class RunProfiler(
    private val event: String,
    private val directory: File,
) {
    private val start = startCommand(event)
    private val profiler = AsyncProfiler.getInstance()
    private val rowStacks = HashMap<String, Long>()
    private val baselineStacks = HashMap<String, Long>()

    /** Runs [block] under the profiler and adds its stacks to the row's totals, or the baseline's when [baseline]. */
    fun <T> profile(
        baseline: Boolean,
        block: () -> T,
    ): T {
        profiler.execute(start)
        try {
            return block()
        } finally {
            profiler.execute("stop")
            val totals = if (baseline) baselineStacks else rowStacks
            for (line in profiler.execute("collapsed").lineSequence()) {
                val space = line.lastIndexOf(' ')
                if (space <= 0) continue
                val count = line.substring(space + 1).toLongOrNull() ?: continue
                totals.merge(line.substring(0, space), count, Long::plus)
            }
        }
    }

    /** Writes both profiles; see [RunProfiler]. */
    fun write(
        settings: Settings,
        row: Row,
    ) {
        directory.mkdirs()
        val name = "${settings.name.lowercase()}-${row.name.replace(Regex("[^A-Za-z0-9]+"), "-")}"
        for ((suffix, stacks) in listOf("" to rowStacks, "-baseline" to baselineStacks)) {
            File(directory, "$name$suffix.collapsed").printWriter().use { out ->
                stacks.entries.sortedByDescending { it.value }.forEach { out.println("${it.key} ${it.value}") }
            }
        }
    }

    companion object {
        /** async-profiler's start command for [event]; throws [IllegalArgumentException] naming the accepted values. */
        fun startCommand(event: String): String =
            when (event) {
                "cpu" -> "start,event=itimer,interval=1ms"
                "alloc" -> "start,event=alloc"
                "wall" -> "start,event=wall,interval=1ms"
                else -> throw IllegalArgumentException("profile=$event is not a profile: use profile=cpu, profile=alloc or profile=wall")
            }
    }
}
