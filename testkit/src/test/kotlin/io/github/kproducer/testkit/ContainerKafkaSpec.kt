package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.core.test.Enabled
import io.kotest.matchers.string.shouldContain

private const val NO_DOCKER =
    "No Docker engine runs on this machine, so no container can start; EmbeddedKafkaSpec runs the same KafkaCluster contract in-process"

class ContainerKafkaSpec :
    FunSpec({
        val docker = ContainerKafka.isDockerAvailable()

        test("the KafkaCluster contract holds for a broker in a container")
            .config(enabledOrReasonIf = { if (docker) Enabled.enabled else Enabled.disabled(NO_DOCKER) }) {
                ContainerKafka.start().use { verifyKafkaClusterContract(it) }
            }

        test("without a Docker engine, starting a container fails at once with a message that says so and what to use")
            .config(enabledOrReasonIf = { if (docker) Enabled.disabled("A Docker engine runs here, so the failure cannot happen") else Enabled.enabled }) {
                val error = shouldThrow<IllegalStateException> { ContainerKafka.start() }
                error.message shouldContain "needs a Docker engine"
                error.message shouldContain "use EmbeddedKafka"
            }

        test("the KafkaCluster contract holds for the embedded broker, the backend a container spec switches from") {
            EmbeddedKafka().use { verifyKafkaClusterContract(it) }
        }
    })
