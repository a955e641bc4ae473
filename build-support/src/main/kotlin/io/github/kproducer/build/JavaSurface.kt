package io.github.kproducer.build

import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.readLines
import kotlin.io.path.readText

/**
 * Reads a module's committed ABI dump as a Java caller sees it and finds what Kotlin put there that
 * Java should not meet: `Companion` fields and classes, `INSTANCE` fields, value-class-mangled names
 * (`getLinger-FghU774`), `kotlin.*` types, file facades named `...Kt`, and suspend functions with no
 * `...Async` twin.
 *
 * Members the compiler or `@JvmSynthetic` hides from Java (`synthetic` in the dump) are skipped.
 * Each finding fails the build unless a line of the module's allow-list, `api/<module>.java-surface`,
 * matches it and says why it is there:
 * ```
 * <regex, found in "ClassName member-line">  =>  <why Java still sees this>
 * ```
 * An allow-list line that matches nothing fails too, so the list shrinks as the API improves.
 */
public object JavaSurface {
    /** One thing a Java caller would meet: [kind], in [owner] (a class name as in the dump), on [line]. */
    public data class Finding(
        val kind: String,
        val owner: String,
        val line: String,
    ) {
        /** The text allow-list patterns are matched against: the class, a space, then the member line. */
        val subject: String get() = "$owner $line"

        override fun toString(): String = "$kind: $subject"
    }

    /** A line of an allow-list: a [pattern] and the [reason] Java still sees what it matches. */
    public data class Allowance(
        val pattern: Regex,
        val reason: String,
    )

    /**
     * Checks `api/[module].api` against `api/[module].java-surface`.
     *
     * @throws AssertionError listing every finding no allow-list line matches, and every allow-list
     *   line that matches nothing, with what to do about each.
     */
    public fun verify(
        module: String,
        apiDirectory: Path = Path.of("api"),
    ) {
        val dump = apiDirectory.resolve("$module.api")
        val allowListFile = apiDirectory.resolve("$module.java-surface")
        val allowList = if (Files.exists(allowListFile)) parseAllowList(allowListFile.readLines()) else emptyList()
        val findings = findings(dump.readText())
        val unexplained = findings.filter { finding -> allowList.none { it.pattern.containsMatchIn(finding.subject) } }
        val stale = allowList.filter { allowance -> findings.none { allowance.pattern.containsMatchIn(it.subject) } }
        if (unexplained.isEmpty() && stale.isEmpty()) return
        throw AssertionError(
            buildString {
                if (unexplained.isNotEmpty()) {
                    append("Java callers of $module would meet ${unexplained.size} Kotlin artefact(s) (from $dump):\n")
                    unexplained.forEach { append("  $it\n") }
                    append(
                        "Give Java a designed form (a java.time.Duration or java.util.function type, a fluent method, @JvmStatic " +
                            "in a top-level file, @JvmSynthetic on the Kotlin form), or add a line to $allowListFile saying why Java " +
                            "still sees it: `<regex>  =>  <reason>`.\n",
                    )
                }
                if (stale.isNotEmpty()) {
                    append("Lines of $allowListFile that match nothing any more; remove them:\n")
                    stale.forEach { append("  ${it.pattern}\n") }
                }
            },
        )
    }

    /** Parses allow-list lines: blank lines and `#` comments are skipped; each other line is `<regex>  =>  <reason>`. */
    public fun parseAllowList(lines: List<String>): List<Allowance> =
        lines
            .map { it.trim() }
            .filter { it.isNotEmpty() && !it.startsWith("#") }
            .map { line ->
                val parts = line.split("=>", limit = 2)
                require(parts.size == 2 && parts[1].isNotBlank()) { "Allow-list line without a reason (write `<regex>  =>  <reason>`): $line" }
                Allowance(Regex(parts[0].trim()), parts[1].trim())
            }

    /** Every finding in [dump], the text of an ABI dump. */
    public fun findings(dump: String): List<Finding> {
        val findings = mutableListOf<Finding>()
        var owner = ""
        var members = emptyList<String>()
        val lines = dump.lines()
        var index = 0
        while (index < lines.size) {
            val header = lines[index]
            if (!header.endsWith("{") || header.startsWith("\t")) {
                index++
                continue
            }
            owner = header.substringAfter("class ").substringBefore(" ")
            val end = (index + 1 until lines.size).first { lines[it] == "}" }
            members = lines.subList(index + 1, end).map { it.trim() }.filterNot { SYNTHETIC.containsMatchIn(it) }
            classFindings(owner, header.trim(), members, findings)
            index = end + 1
        }
        return findings
    }

    private fun classFindings(
        owner: String,
        header: String,
        members: List<String>,
        findings: MutableList<Finding>,
    ) {
        val simpleName = owner.substringAfterLast('/')
        if (simpleName.endsWith("\$Companion")) findings += Finding("a Companion class", owner, header)
        if (simpleName.endsWith("Kt") && !simpleName.contains('$')) findings += Finding("a file facade named by Kotlin", owner, header)
        if (header.substringAfter(" : ", "").contains("kotlin/")) findings += Finding("a kotlin.* supertype", owner, header)
        val names = members.mapNotNull { FUN_NAME.find(it)?.groupValues?.get(1) }.toSet()
        for (member in members) {
            when {
                member.contains(" field Companion ") -> findings += Finding("a Companion field", owner, member)
                member.contains(" field INSTANCE ") -> findings += Finding("an INSTANCE field", owner, member)
            }
            val name = FUN_NAME.find(member)?.groupValues?.get(1)
            if (name != null && MANGLED.containsMatchIn(name)) findings += Finding("a mangled name", owner, member)
            if (member.endsWith(SUSPEND_TAIL)) {
                if ("${name}Async" !in names) findings += Finding("a suspend function with no ${name}Async twin", owner, member)
            } else if (member.contains("Lkotlin/")) {
                findings += Finding("a kotlin.* type", owner, member)
            }
        }
    }

    private val SYNTHETIC = Regex("""\bsynthetic\b""")
    private val FUN_NAME = Regex("""\bfun (\S+) \(""")
    private val MANGLED = Regex("""-[A-Za-z0-9_]{7}$""")
    private const val SUSPEND_TAIL = "Lkotlin/coroutines/Continuation;)Ljava/lang/Object;"
}
