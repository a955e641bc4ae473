package io.github.kproducer.build

import org.jetbrains.kotlin.abi.tools.AbiFilters
import org.jetbrains.kotlin.abi.tools.AbiTools
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.extension
import kotlin.io.path.isRegularFile
import kotlin.io.path.readText
import kotlin.io.path.writeText

/**
 * The committed public ABI of a module: `api/<module>.api`, a text dump of every public and
 * protected class, method and field in `target/classes`, made by Kotlin's own ABI tools.
 *
 * A test of each published module calls [verify]: a change to the public API fails the build until
 * the dump is rewritten with `-Dapi.dump=true` and committed, so every API change is reviewed.
 */
public object ApiDump {
    /** System property that rewrites the dump instead of comparing against it. */
    public const val REWRITE_PROPERTY: String = "api.dump"

    /**
     * Compares the ABI of [classes] (default `target/classes`) with `api/[module].api`, or rewrites
     * that file when the system property [REWRITE_PROPERTY] is `true`.
     *
     * @throws AssertionError when they differ or the dump is missing; the message lists the changed lines.
     */
    public fun verify(
        module: String,
        classes: Path = Path.of("target", "classes"),
        apiDirectory: Path = Path.of("api"),
    ) {
        val actual = dump(classes)
        val file = apiDirectory.resolve("$module.api")
        if (System.getProperty(REWRITE_PROPERTY).toBoolean()) {
            Files.createDirectories(apiDirectory)
            file.writeText(actual)
            return
        }
        if (!Files.exists(file)) {
            throw AssertionError("There is no ABI dump at $file. Create it with `./mvnw verify -D$REWRITE_PROPERTY=true` and commit it.")
        }
        val expected = file.readText()
        if (expected != actual) {
            val expectedLines = expected.lines()
            val actualLines = actual.lines()
            val removed = expectedLines - actualLines.toSet()
            val added = actualLines - expectedLines.toSet()
            throw AssertionError(
                "The public API of $module differs from $file.\n" +
                    removed.joinToString("") { "- $it\n" } +
                    added.joinToString("") { "+ $it\n" } +
                    "If the change is intended, rewrite the dump with `./mvnw verify -D$REWRITE_PROPERTY=true` and commit it.",
            )
        }
    }

    /** The ABI dump of the class files under [classes]. */
    public fun dump(classes: Path): String {
        val classFiles =
            Files.walk(classes).use { paths ->
                paths
                    .filter { it.isRegularFile() && it.extension == "class" }
                    .sorted()
                    .map { it.toFile() }
                    .toList()
            }
        return buildString { AbiTools.getInstance().printJvmDump(this, classFiles, AbiFilters.EMPTY) }
    }
}
