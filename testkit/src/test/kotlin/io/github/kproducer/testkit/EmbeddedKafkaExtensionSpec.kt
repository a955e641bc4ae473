package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.provided.sharedKafka

class EmbeddedKafkaExtensionSpec :
    FunSpec({
        val spec = this
        val shared = install(sharedKafka)
        val again = install(sharedKafka)

        test("a project-wide extension gives every install the same running cluster, configured where it was created") {
            (again === shared) shouldBe true
            shared.settings.defaultPartitions shouldBe 2
            shared.admin().use {
                it
                    .describeCluster()
                    .nodes()
                    .get()
                    .size shouldBe 1
            }
        }

        test("installing the project-wide extension with another configuration is refused") {
            val error = shouldThrow<IllegalStateException> { sharedKafka.mount { brokers = 3 } }
            error.message shouldContain "configure it once"
        }

        test("a project-wide extension that is not registered in the project config is refused") {
            val unregistered = EmbeddedKafkaExtension(EmbeddedKafkaExtension.Lifecycle.PROJECT)
            val error = shouldThrow<IllegalStateException> { unregistered.mount { } }
            error.message shouldContain "registered in the project config"
        }

        test("a per-spec extension starts a new cluster on each install and closes them after the spec") {
            val extension = EmbeddedKafkaExtension { defaultPartitions = 3 }
            val first = extension.mount { }
            val second = extension.mount { brokers = 1 }
            (first === second) shouldBe false
            first.settings.defaultPartitions shouldBe 3
            extension.afterSpec(spec)
            first.dataDirectory.toFile().exists() shouldBe false
            second.dataDirectory.toFile().exists() shouldBe false
        }
    })
