package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.KraftCluster
import io.github.kproducer.testkit.internal.RecordReader
import io.github.kproducer.testkit.internal.TopicCreator
import org.apache.kafka.clients.CommonClientConfigs
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.Deserializer
import java.util.function.Consumer
import kotlin.time.Duration

/**
 * A real Apache Kafka cluster (KRaft mode) running inside this JVM: one or more combined
 * broker+controller nodes on free loopback ports, with a temporary data directory that [close]
 * deletes.
 *
 * It is the broker itself (the `kafka_2.13` jar that matches the `kafka-clients` version), not a
 * fake: partitioning, acks, transactions, size limits and errors are Kafka's own. Create one with
 * `EmbeddedKafka { brokers = 3 }` in Kotlin or [EmbeddedKafka.start] in Java; the constructor
 * returns once every broker is running. Each instance is independent (own ports, own directory,
 * no shared state), so parallel tests can each have their own.
 *
 * Broker threads are not daemon threads: always [close] the cluster (`use { }`, the Kotest
 * extension or the JUnit extension do it for you), or the JVM will not exit.
 *
 * Thread-safe. Every method blocks the calling thread.
 */
public class EmbeddedKafka private constructor(
    /** The configuration this cluster was started with. */
    public val config: EmbeddedKafkaConfig,
) : KafkaCluster {
    private val cluster = KraftCluster(config)
    private val topics = TopicCreator(::connectionProperties)

    override val bootstrapServers: String get() = cluster.bootstrapServers

    /** The cluster's temporary data directory (one `node-N` folder per broker), deleted by [close]. */
    public val dataDirectory: java.nio.file.Path get() = cluster.directory

    /** The node ids of the brokers, `1..brokers`. */
    public val brokerIds: List<Int> get() = cluster.nodeIds

    /** Whether broker [brokerId] is running (it is, unless [stopBroker] stopped it). */
    public fun isRunning(brokerId: Int): Boolean = cluster.isRunning(brokerId)

    /** The `bootstrap.servers` value of broker [brokerId] alone. */
    public fun bootstrapServersOf(brokerId: Int): String = cluster.bootstrapServersOf(brokerId)

    /**
     * Stops broker [brokerId] with a controlled shutdown (its partition leaderships move to the other
     * brokers first) while the others keep serving. With 3 brokers the controller quorum survives.
     *
     * @throws IllegalStateException when the broker is already stopped or is the last one running.
     * @throws IllegalArgumentException when there is no such broker.
     */
    public fun stopBroker(brokerId: Int) {
        cluster.stop(brokerId)
    }

    /**
     * Starts a stopped broker again on the same ports with the same data, and returns once the
     * controller has registered it; its replicas then catch up and rejoin the ISR.
     *
     * @throws EmbeddedKafkaStartupException when it cannot start within the startup timeout.
     * @throws IllegalStateException when the broker is already running.
     */
    public fun startBroker(brokerId: Int) {
        cluster.start(brokerId)
    }

    override fun connectionProperties(): Map<String, Any> = mapOf(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers)

    override fun createTopic(
        name: String,
        partitions: Int,
        replicationFactor: Int,
        configs: Map<String, String>,
    ) {
        topics.create(name, partitions, replicationFactor, configs)
    }

    override fun admin(): Admin = Admin.create(connectionProperties())

    override fun <K, V> read(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
        until: (List<ConsumerRecord<K, V>>) -> Boolean,
    ): List<ConsumerRecord<K, V>> = RecordReader.read(connectionProperties(), topic, keyDeserializer, valueDeserializer, timeout, isolationLevel, until)

    override fun <K, V> readAll(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> = RecordReader.readAll(connectionProperties(), topic, keyDeserializer, valueDeserializer, timeout, isolationLevel)

    /** Stops every broker and deletes the data directory. Idempotent. */
    override fun close() {
        try {
            topics.close()
        } finally {
            cluster.close()
        }
    }

    override fun toString(): String = "EmbeddedKafka(bootstrapServers=$bootstrapServers, brokers=${config.brokers})"

    /** Java entry points. */
    public companion object {
        /**
         * Starts a cluster with [config] and returns once every broker runs.
         *
         * @throws EmbeddedKafkaStartupException when it cannot start; nothing is left running.
         */
        @JvmStatic
        public fun start(config: EmbeddedKafkaConfig): EmbeddedKafka = EmbeddedKafka(config)

        /** Starts a one-broker cluster with the default configuration; see [start]. */
        @JvmStatic
        public fun start(): EmbeddedKafka = start(EmbeddedKafkaConfig.defaults())

        /**
         * Starts a cluster configured by [configure], such as `b -> b.setBrokers(3)`; see [start].
         *
         * @throws IllegalArgumentException when the configuration is invalid.
         */
        @JvmStatic
        public fun start(configure: Consumer<EmbeddedKafkaConfig.Builder>): EmbeddedKafka = start(EmbeddedKafkaConfig.builder().also(configure::accept).build())
    }
}

/**
 * Starts an embedded Kafka cluster configured by [configure] and returns once every broker runs.
 *
 * ```
 * EmbeddedKafka { brokers = 3 }.use { kafka -> ... }
 * ```
 *
 * Blocks for the start (2 to 4 seconds cold on a small machine).
 *
 * @throws IllegalArgumentException when the configuration is invalid, listing every problem.
 * @throws EmbeddedKafkaStartupException when the cluster cannot start; nothing is left running.
 */
public fun EmbeddedKafka(configure: EmbeddedKafkaConfig.Builder.() -> Unit = {}): EmbeddedKafka =
    EmbeddedKafka.start(EmbeddedKafkaConfig.builder().apply(configure).build())
