package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.config.Wording
import org.apache.kafka.common.security.auth.SecurityProtocol
import org.apache.kafka.common.serialization.Serializer
import java.util.function.Consumer
import kotlin.time.toKotlinDuration

/**
 * Java-style fluent builder of a [KProducer], started by [KProducer.builder]. Every method sets the
 * setting of the same name in [KProducerConfig] (see there for meanings and defaults), the options
 * around the client come from [AbstractKProducerOptions], and [build] runs the same validation:
 * ```java
 * KProducer<String, String> producer = KProducer.builder(String.class, String.class)
 *     .bootstrapServers("broker1:9092,broker2:9092")
 *     .reliable()
 *     .linger(Duration.ofMillis(10))
 *     .build();
 * ```
 * Not thread-safe.
 */
public class KProducerBuilder<K, V> internal constructor(
    internal val config: KProducerConfig<K, V>,
) : AbstractKProducerOptions<K, V, KProducerBuilder<K, V>>() {
    /** The options live in [config], which builds the producer. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    override var behaviour: ProducerBehaviour<K, V>
        get() = config.behaviour
        set(value) {
            config.behaviour = value
        }

    init {
        // Problems name the builder's methods, not the Kotlin block's properties.
        config.wording = Wording.JAVA
    }

    /**
     * Sets `bootstrap.servers` from one or more `host:port` values; one value may also list several,
     * comma-separated: `bootstrapServers("broker1:9092", "broker2:9092")`.
     */
    public fun bootstrapServers(vararg servers: String): KProducerBuilder<K, V> = apply { config.bootstrapServers(*servers) }

    /** Sets `client.id`. */
    public fun clientId(clientId: String): KProducerBuilder<K, V> = apply { config.clientId = clientId }

    /** Sets `acks`. */
    public fun acks(acks: Acks): KProducerBuilder<K, V> = apply { config.acks = acks }

    /** Sets `enable.idempotence`. */
    public fun idempotence(enabled: Boolean): KProducerBuilder<K, V> = apply { config.idempotence = enabled }

    /** Sets `retries`. */
    public fun retries(retries: Int): KProducerBuilder<K, V> = apply { config.retries = retries }

    /** Sets `retry.backoff.ms`. */
    public fun retryBackoff(backoff: java.time.Duration): KProducerBuilder<K, V> = apply { config.retryBackoff = backoff.toKotlinDuration() }

    /** Sets `retry.backoff.max.ms`. */
    public fun retryBackoffMax(backoff: java.time.Duration): KProducerBuilder<K, V> = apply { config.retryBackoffMax = backoff.toKotlinDuration() }

    /** Sets `delivery.timeout.ms`. */
    public fun deliveryTimeout(timeout: java.time.Duration): KProducerBuilder<K, V> = apply { config.deliveryTimeout = timeout.toKotlinDuration() }

    /** Sets `request.timeout.ms`. */
    public fun requestTimeout(timeout: java.time.Duration): KProducerBuilder<K, V> = apply { config.requestTimeout = timeout.toKotlinDuration() }

    /** Sets `max.block.ms`. */
    public fun maxBlock(timeout: java.time.Duration): KProducerBuilder<K, V> = apply { config.maxBlock = timeout.toKotlinDuration() }

    /** Sets `linger.ms`. */
    public fun linger(linger: java.time.Duration): KProducerBuilder<K, V> = apply { config.linger = linger.toKotlinDuration() }

    /** Sets `batch.size` in bytes. */
    public fun batchSize(bytes: Int): KProducerBuilder<K, V> = apply { config.batchSize = bytes }

    /** Sets `buffer.memory` in bytes. */
    public fun bufferMemory(bytes: Long): KProducerBuilder<K, V> = apply { config.bufferMemory = bytes }

    /** Sets `compression.type`. */
    public fun compression(compression: Compression): KProducerBuilder<K, V> = apply { config.compression = compression }

    /** Sets the compression level of the codec. */
    public fun compressionLevel(level: Int): KProducerBuilder<K, V> = apply { config.compressionLevel = level }

    /** Sets `max.in.flight.requests.per.connection`. */
    public fun maxInFlight(requests: Int): KProducerBuilder<K, V> = apply { config.maxInFlight = requests }

    /** Sets `max.request.size` in bytes. */
    public fun maxRequestSize(bytes: Int): KProducerBuilder<K, V> = apply { config.maxRequestSize = bytes }

    /** Sets `transactional.id`. */
    public fun transactionalId(id: String): KProducerBuilder<K, V> = apply { config.transactionalId = id }

    /** Sets `transaction.timeout.ms`. */
    public fun transactionTimeout(timeout: java.time.Duration): KProducerBuilder<K, V> = apply { config.transactionTimeout = timeout.toKotlinDuration() }

    /** Sets `security.protocol`. */
    public fun securityProtocol(protocol: SecurityProtocol): KProducerBuilder<K, V> = apply { config.securityProtocol = protocol }

    /** Configures TLS; see [SslConfig]. */
    public fun ssl(configure: Consumer<SslConfig>): KProducerBuilder<K, V> = apply { config.ssl { configure.accept(this) } }

    /** Configures SASL credentials; see [SaslConfig]. */
    public fun sasl(configure: Consumer<SaslConfig>): KProducerBuilder<K, V> = apply { config.sasl { configure.accept(this) } }

    /** Sets a producer property by its Kafka name; see [KProducerConfig.property]. */
    public fun property(
        key: String,
        value: Any,
    ): KProducerBuilder<K, V> = apply { config.property(key, value) }

    /** Sets a property read by a plugin; see [KProducerConfig.pluginProperty]. */
    public fun pluginProperty(
        key: String,
        value: Any,
    ): KProducerBuilder<K, V> = apply { config.pluginProperty(key, value) }

    /** Sets the key serializer. */
    public fun keySerializer(serializer: Serializer<K>): KProducerBuilder<K, V> = apply { config.keySerializer(serializer) }

    /** Sets the value serializer. */
    public fun valueSerializer(serializer: Serializer<V>): KProducerBuilder<K, V> = apply { config.valueSerializer(serializer) }

    /** Chooses partitions with [partitioner]; see [KProducerConfig.partitioner]. */
    public fun partitioner(partitioner: RecordPartitioner<K, V>): KProducerBuilder<K, V> = apply { config.partitioner(partitioner) }

    /** Adds a send interceptor; see [KProducerConfig.onSend]. */
    public fun onSend(interceptor: SendInterceptor<K, V>): KProducerBuilder<K, V> = apply { config.onSend(interceptor) }

    /** Adds an acknowledgement interceptor; see [KProducerConfig.onAcknowledgement]. */
    public fun onAcknowledgement(interceptor: AcknowledgementInterceptor): KProducerBuilder<K, V> = apply { config.onAcknowledgement(interceptor) }

    /** Applies the [reliable] preset (card payments). */
    public fun reliable(): KProducerBuilder<K, V> = apply { config.reliable() }

    /** Applies the [highThroughput] preset (click logs). */
    public fun highThroughput(): KProducerBuilder<K, V> = apply { config.highThroughput() }

    /** Applies the [lowLatency] preset. */
    public fun lowLatency(): KProducerBuilder<K, V> = apply { config.lowLatency() }

    /**
     * Validates and returns the settings without creating a producer.
     *
     * @throws KProducerConfigException listing every problem at once.
     */
    public fun buildSettings(): KProducerSettings<K, V> = config.build()

    /**
     * Validates the settings and creates the producer.
     *
     * @throws KProducerConfigException listing every problem at once.
     */
    public fun build(): KProducer<K, V> = KProducer(config.build())
}
