package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.TestcontainersBackend
import io.github.kproducer.testkit.internal.TopicCreator
import org.apache.kafka.clients.CommonClientConfigs

/**
 * A Kafka broker in a Docker container (Testcontainers' Kafka module with the `apache/kafka`
 * image), behind the same [KafkaCluster] interface as [EmbeddedKafka]: a spec that uses the
 * interface switches backends by changing the line that creates the cluster.
 *
 * Needs a Docker engine and `org.testcontainers:testcontainers-kafka` on the test class path (the
 * test kit declares it optional, so users without Docker do not pull it). Check
 * [isDockerAvailable] to skip tests with a stated reason where no engine runs.
 *
 * Thread-safe. Every method blocks the calling thread.
 */
public class ContainerKafka private constructor(
    private val backend: TestcontainersBackend,
) : KafkaCluster {
    private val topics = TopicCreator(::connectionProperties)

    override val bootstrapServers: String = backend.bootstrapServers

    override fun connectionProperties(): Map<String, Any> = mapOf(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers)

    override fun createTopic(
        name: String,
        partitions: Int,
        replicationFactor: Int,
        configs: Map<String, String>,
    ) {
        topics.create(name, partitions, replicationFactor, configs)
    }

    /** Stops and removes the container. Idempotent. */
    override fun close(): Unit = topics.closeThen { backend.stop() }

    override fun toString(): String = "ContainerKafka(bootstrapServers=$bootstrapServers)"

    /** Starting containers, and checking whether Docker is there. */
    public companion object {
        /** The image started by default: Apache Kafka in the version of the `kafka-clients` the test kit uses. */
        public const val DEFAULT_IMAGE: String = "apache/kafka:4.4.0"

        /**
         * Whether a Docker engine answers and Testcontainers is on the class path; `false` (never an
         * exception) otherwise. Use it to skip container tests with a reason.
         */
        @JvmStatic
        public fun isDockerAvailable(): Boolean = TestcontainersBackend.isDockerAvailable()

        /**
         * Starts a broker container from [image] and returns once it accepts clients.
         *
         * @throws IllegalStateException when Testcontainers is not on the class path or no Docker
         *   engine runs; the message says which and what to add.
         */
        @JvmStatic
        @JvmOverloads
        public fun start(image: String = DEFAULT_IMAGE): ContainerKafka = ContainerKafka(TestcontainersBackend.start(image))
    }
}
