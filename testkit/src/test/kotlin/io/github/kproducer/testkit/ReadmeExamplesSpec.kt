package io.github.kproducer.testkit

import io.github.kproducer.testkit.support.ReadmeExamples
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import java.io.File

/**
 * The READMEs' examples are compiled, passing tests: each marked example is the region of a test
 * source it names, character for character, and every Java example is marked.
 */
class ReadmeExamplesSpec :
    FunSpec({
        val module = generateSequence(File("").absoluteFile) { it.parentFile }.first { File(it, "src/test/java").isDirectory && File(it, "README.md").isFile }
        val readmes = listOf(File(module, "README.md"), File(module.parentFile, "README.md"))
        val fences = readmes.flatMap { ReadmeExamples.fences(it) }
        val testSources =
            listOf(File(module, "src/test/java"), File(module, "src/test/kotlin"))
                .flatMap { root -> root.walk().filter { it.isFile && (it.extension == "java" || it.extension == "kt") } }

        test("every Java example in the READMEs names the test it comes from") {
            fences.filter { it.language == "java" && it.region == null }.map { it.toString() }.shouldBeEmpty()
        }

        test("every marked example is its test's region, exactly") {
            val problems =
                fences.filter { it.region != null }.mapNotNull { fence ->
                    val source = fence.source!!
                    val code = if (source.isFile) ReadmeExamples.regions(source)[fence.region] else null
                    when {
                        !source.isFile -> "$fence names ${source.path}, which does not exist"
                        code == null -> "$fence names region readme:${fence.region}, which ${source.name} does not have"
                        code != fence.text -> "$fence differs from ${source.name}#${fence.region}: ${ReadmeExamples.firstDifference(fence.text, code)}"
                        else -> null
                    }
                }
            problems.shouldBeEmpty()
        }

        test("every readme region of a test is shown in a README") {
            val shown = fences.filter { it.region != null }.map { it.source!!.canonicalFile to it.region }.toSet()
            val unshown =
                testSources
                    .flatMap { source -> ReadmeExamples.regions(source).keys.map { source.canonicalFile to it } }
                    .filter { it !in shown }
                    .map { (file, region) -> "${file.name}#$region" }
            unshown.shouldBeEmpty()
        }

        test("the checker finds a marked example that drifted from its source, and an unmarked Java example") {
            val dir =
                kotlin.io.path
                    .createTempDirectory("readme-examples")
                    .toFile()
            try {
                // Built from pieces, so that this file holds no region of its own.
                val region = "// region " + "readme:send"
                File(dir, "Example.java").writeText(
                    listOf("class Example {", "    void test() {", "        $region", "        producer.send(record);", "        // endregion", "    }", "}")
                        .joinToString("\n"),
                )
                val readme = File(dir, "README.md")
                readme.writeText(
                    listOf(
                        "<!-- example: Example.java#send -->",
                        "```java",
                        "producer.send(other);",
                        "```",
                        "",
                        "```java",
                        "unmarked();",
                        "```",
                    ).joinToString("\n"),
                )
                val (marked, unmarked) = ReadmeExamples.fences(readme)
                marked.region shouldBe "send"
                unmarked.region shouldBe null
                val code = ReadmeExamples.regions(File(dir, "Example.java")).getValue("send")
                code shouldBe "producer.send(record);"
                ReadmeExamples.firstDifference(marked.text, code) shouldBe
                    "line 1 of the example: README has \"producer.send(other);\", the source has \"producer.send(record);\""
            } finally {
                dir.deleteRecursively()
            }
        }
    })
