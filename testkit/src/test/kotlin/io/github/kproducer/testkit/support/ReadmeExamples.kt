package io.github.kproducer.testkit.support

import java.io.File

/**
 * The examples a README shows from test sources, and the regions of test sources they show.
 *
 * A README marks an example with `<!-- example: PATH#NAME -->` on the line before its code fence;
 * PATH is relative to the README. The source holds the code between `// region readme:NAME` and the
 * next `// endregion`; the README's fence must hold that code exactly, less its common indent.
 */
internal object ReadmeExamples {
    private val marker = Regex("""^<!-- example: (\S+)#([\w-]+) -->$""")
    private val regionStart = Regex("""^\s*// region readme:([\w-]+)\s*$""")
    private val regionEnd = Regex("""^\s*// endregion\s*$""")

    /** A fenced code block of a README: where it is, its language, its text, and the region it claims to show. */
    class Fence(
        val readme: File,
        val line: Int,
        val language: String,
        val text: String,
        val source: File?,
        val region: String?,
    ) {
        override fun toString(): String = "${readme.name}:$line (```$language)"
    }

    /** Every fenced block of [readme], each with the marker before it, if any. */
    fun fences(readme: File): List<Fence> {
        val lines = readme.readLines()
        val fences = mutableListOf<Fence>()
        var i = 0
        while (i < lines.size) {
            val open = lines[i]
            if (!open.startsWith("```")) {
                i++
                continue
            }
            val language = open.removePrefix("```").trim()
            val end =
                (i + 1 until lines.size).firstOrNull { lines[it].trimEnd() == "```" }
                    ?: error("${readme.name}:${i + 1}: code fence never closed")
            val previous = (i - 1 downTo 0).firstOrNull { lines[it].isNotBlank() }?.let { lines[it].trim() }
            val claim = previous?.let { marker.matchEntire(it) }
            fences +=
                Fence(
                    readme = readme,
                    line = i + 1,
                    language = language,
                    text = lines.subList(i + 1, end).joinToString("\n"),
                    source = claim?.let { File(readme.parentFile, it.groupValues[1]).normalize() },
                    region = claim?.groupValues?.get(2),
                )
            i = end + 1
        }
        return fences
    }

    /** The regions of [source] by name, each dedented. */
    fun regions(source: File): Map<String, String> {
        val lines = source.readLines()
        val regions = linkedMapOf<String, String>()
        lines.forEachIndexed { index, line ->
            val name = regionStart.matchEntire(line)?.groupValues?.get(1) ?: return@forEachIndexed
            val end =
                (index + 1 until lines.size).firstOrNull { regionEnd.matches(lines[it]) }
                    ?: error("${source.name}:${index + 1}: region readme:$name has no // endregion")
            check(name !in regions) { "${source.name}: region readme:$name is declared twice" }
            regions[name] = dedent(lines.subList(index + 1, end))
        }
        return regions
    }

    private fun dedent(lines: List<String>): String {
        val indent = lines.filter { it.isNotBlank() }.minOfOrNull { line -> line.takeWhile { it == ' ' }.length } ?: 0
        return lines.joinToString("\n") { if (it.isBlank()) "" else it.substring(indent).trimEnd() }
    }

    /** Where [shown] first differs from [source], as a line for a failure message. */
    fun firstDifference(
        shown: String,
        source: String,
    ): String {
        val a = shown.lines()
        val b = source.lines()
        val line = (0 until maxOf(a.size, b.size)).first { a.getOrNull(it) != b.getOrNull(it) }
        return "line ${line + 1} of the example: README has ${a.getOrNull(line)?.let { "\"$it\"" } ?: "nothing"}, " +
            "the source has ${b.getOrNull(line)?.let { "\"$it\"" } ?: "nothing"}"
    }
}
