package io.github.kproducer.testkit.internal

import org.testcontainers.DockerClientFactory
import org.testcontainers.kafka.KafkaContainer
import org.testcontainers.utility.DockerImageName

/**
 * The only class that touches Testcontainers, so that the rest of the test kit loads without it
 * (the dependency is optional). Callers check [present] first.
 */
internal class TestcontainersBackend private constructor(
    private val container: KafkaContainer,
) {
    val bootstrapServers: String get() = container.bootstrapServers

    fun stop() {
        container.stop()
    }

    companion object {
        private const val MARKER = "org.testcontainers.kafka.KafkaContainer"

        private fun present(): Boolean = runCatching { Class.forName(MARKER, false, TestcontainersBackend::class.java.classLoader) }.isSuccess

        fun isDockerAvailable(): Boolean = present() && runCatching { DockerClientFactory.instance().isDockerAvailable }.getOrDefault(false)

        fun start(image: String): TestcontainersBackend {
            check(present()) {
                "ContainerKafka needs Testcontainers: add org.testcontainers:testcontainers-kafka to your test dependencies, or use EmbeddedKafka"
            }
            check(isDockerAvailable()) {
                "ContainerKafka needs a Docker engine, and none answers here; use EmbeddedKafka, which runs the broker in this JVM"
            }
            val container = KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"))
            container.start()
            return TestcontainersBackend(container)
        }
    }
}
