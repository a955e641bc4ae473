package io.github.kproducer.dsl

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.shouldBe
import org.w3c.dom.Element
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory

/** What users get from our POMs: the BOM's versions are the build's, and no build tool is a dependency. */
class PublishedPomsSpec :
    FunSpec({
        val root = generateSequence(File("").absoluteFile) { it.parentFile }.first { File(it, "bom/pom.xml").isFile }

        fun pom(path: String): Element =
            DocumentBuilderFactory
                .newInstance()
                .newDocumentBuilder()
                .parse(File(root, path))
                .documentElement

        fun Element.child(name: String): Element? =
            (0 until childNodes.length).map { childNodes.item(it) }.filterIsInstance<Element>().firstOrNull {
                it.tagName ==
                    name
            }

        fun Element.properties(): Map<String, String> {
            val properties = child("properties") ?: return emptyMap()
            return (0 until properties.childNodes.length)
                .map { properties.childNodes.item(it) }
                .filterIsInstance<Element>()
                .associate { it.tagName to it.textContent.trim() }
        }

        fun Element.dependencyArtifacts(): List<String> {
            val dependencies = child("dependencies") ?: return emptyList()
            return (0 until dependencies.childNodes.length)
                .map { dependencies.childNodes.item(it) }
                .filterIsInstance<Element>()
                .map { it.child("artifactId")!!.textContent.trim() }
        }

        test("kproducer-bom pins the versions the build uses, and the project's own version") {
            val parent = pom("pom.xml")
            val bom = pom("bom/pom.xml")
            val built = parent.properties()
            val pinned = bom.properties()
            for (key in listOf(
                "kafka.version",
                "kotlin.version",
                "coroutines.version",
                "kotlinx-serialization.version",
                "kotest.version",
                "turbine.version",
                "assertj.version",
                "jackson3.version",
            )) {
                withClue(key) { pinned[key] shouldBe built.getValue(key) }
            }
            pinned["kproducer.version"] shouldBe parent.child("version")!!.textContent.trim()
            bom.child("version")!!.textContent.trim() shouldBe parent.child("version")!!.textContent.trim()
            // No parent: an imported BOM brings its parent's dependencyManagement (the broker's internals, MockK, JMH).
            bom.child("parent") shouldBe null
        }

        fun Element.children(name: String): List<Element> =
            (0 until childNodes.length).map { childNodes.item(it) }.filterIsInstance<Element>().filter { it.tagName == name }

        fun Element.path(vararg names: String): Element? = names.fold(this as Element?) { element, name -> element?.child(name) }

        /** The release profile's plugins of a POM: artifactId to its version (properties and pluginManagement applied) and configuration. */
        fun Element.releasePlugins(): Map<String, Pair<String, Map<String, String>>> {
            val properties = properties()

            fun resolve(text: String) = Regex("""\$\{([^}]+)}""").replace(text) { properties[it.groupValues[1]] ?: it.value }
            val managed =
                path("build", "pluginManagement", "plugins")?.children("plugin").orEmpty().associate {
                    it.child("artifactId")!!.textContent.trim() to it.child("version")?.textContent?.trim()
                }
            val profile = child("profiles")!!.children("profile").single { it.child("id")!!.textContent.trim() == "release" }
            return profile.path("build", "plugins")!!.children("plugin").associate { plugin ->
                val artifact = plugin.child("artifactId")!!.textContent.trim()
                val version = plugin.child("version")?.textContent?.trim() ?: managed[artifact] ?: "unversioned"
                val configuration =
                    plugin
                        .child("configuration")
                        ?.let { config ->
                            (0 until config.childNodes.length).map { config.childNodes.item(it) }.filterIsInstance<Element>().associate {
                                it.tagName to resolve(it.textContent.trim())
                            }
                        }.orEmpty()
                artifact to (resolve(version) to configuration)
            }
        }

        test("kproducer-bom, which has no parent, signs and stages itself with the parent's release plugins and settings") {
            val parent = pom("pom.xml").releasePlugins()
            val bom = pom("bom/pom.xml").releasePlugins()
            for (plugin in listOf("maven-gpg-plugin", "central-publishing-maven-plugin")) {
                withClue(plugin) { bom.getValue(plugin) shouldBe parent.getValue(plugin) }
            }
            parent.getValue("central-publishing-maven-plugin").second["autoPublish"] shouldBe "false"
        }

        test("the published modules declare no build tool as a dependency") {
            for (module in listOf("dsl", "testkit", "spring-boot-starter", "spring-boot-test")) {
                val artifacts = pom("$module/pom.xml").dependencyArtifacts()
                artifacts shouldNotContain "kotlin-serialization-compiler-plugin-embeddable"
                artifacts shouldNotContain "abi-tools"
            }
        }
    })

private inline fun <T> withClue(
    clue: String,
    body: () -> T,
): T = io.kotest.assertions.withClue(clue, body)
