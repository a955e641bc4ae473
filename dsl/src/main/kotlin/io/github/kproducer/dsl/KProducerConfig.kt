package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.ConfigRules
import io.github.kproducer.dsl.internal.config.GuardedSerializer
import io.github.kproducer.dsl.internal.config.INTERCEPTORS_KEY
import io.github.kproducer.dsl.internal.config.InterceptorLambdas
import io.github.kproducer.dsl.internal.config.LambdaInterceptor
import io.github.kproducer.dsl.internal.config.LambdaPartitioner
import io.github.kproducer.dsl.internal.config.PARTITIONER_KEY
import io.github.kproducer.dsl.internal.config.PartitionerLambda
import io.github.kproducer.dsl.internal.config.SerializerProperty
import io.github.kproducer.dsl.internal.config.TypedSetting
import io.github.kproducer.dsl.internal.config.TypedSettings
import io.github.kproducer.dsl.internal.config.TypedValue
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.config.lambdaSerializer
import org.apache.kafka.common.security.auth.SecurityProtocol
import org.apache.kafka.common.serialization.Serializer
import kotlin.time.Duration

/**
 * The configuration block of [kafkaProducer]: typed settings for what people set, [property] for the
 * rest, serializers, and the [KProducerOptions]. Every setting left `null` keeps Kafka's default.
 *
 * [build] validates everything at once and fails with one [KProducerConfigException] that names each
 * problem and its fix, including contradictions Kafka would report late or never.
 *
 * Not thread-safe: configure it on one thread, then build.
 */
@KProducerDsl
public class KProducerConfig<K, V> internal constructor(
    inferredKeySerializer: Serializer<K>?,
    inferredValueSerializer: Serializer<V>?,
    private val keyType: String,
    private val valueType: String,
) : KProducerOptions<K, V>() {
    private var keySerializer: Serializer<K>? = inferredKeySerializer
    private var valueSerializer: Serializer<V>? = inferredValueSerializer

    /** Whether the serializers were set here rather than inferred from the type: a property naming another one is then a contradiction. */
    private var keySerializerSet = false
    private var valueSerializerSet = false
    private val typed = TypedSettings()
    private val raw = LinkedHashMap<String, Any>()
    private val plugin = LinkedHashMap<String, Any>()
    private var sslConfig: SslConfig? = null
    private var saslConfig: SaslConfig? = null
    private var partitionerLambda: RecordPartitioner<K, V>? = null
    private val sendInterceptors = ArrayList<SendInterceptor<K, V>>()
    private val acknowledgementInterceptors = ArrayList<AcknowledgementInterceptor>()

    /** `bootstrap.servers`: `host:port` pairs of some brokers, comma-separated; two or more recommended. Required. */
    public var bootstrapServers: String? by typed.setting("bootstrap.servers")

    /** `client.id`: the name of this producer in broker logs, metrics and quotas. */
    public var clientId: String? by typed.setting("client.id")

    /** `acks`: how many replicas must have a record before it counts as sent. Kafka's default is [Acks.ALL]. */
    public var acks: Acks? by typed.setting("acks", toKafka = Acks::kafkaValue)

    /**
     * `enable.idempotence`: retries cannot duplicate or reorder records. Needs [Acks.ALL], retries > 0
     * and at most 5 requests in flight. When not set, Kafka enables it unless another setting conflicts.
     */
    public var idempotence: Boolean? by typed.setting("enable.idempotence")

    /** `retries`: how often a failed batch is retried within [deliveryTimeout]. Kafka's default is effectively unlimited. */
    public var retries: Int? by typed.setting("retries")

    /** `retry.backoff.ms`: the first wait before a retry (Kafka default 100 ms); it grows exponentially up to [retryBackoffMax]. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var retryBackoff: Duration? by typed.setting("retry.backoff.ms")

    /** `retry.backoff.max.ms`: the longest wait between retries (Kafka default 1 s). */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var retryBackoffMax: Duration? by typed.setting("retry.backoff.max.ms")

    /**
     * `delivery.timeout.ms`: the upper bound on reporting a record's success or failure after `send`
     * returns, retries included (Kafka default 2 min). Must be at least [linger] + [requestTimeout].
     */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var deliveryTimeout: Duration? by typed.setting("delivery.timeout.ms")

    /** `request.timeout.ms`: how long to wait for one broker response (Kafka default 30 s). */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var requestTimeout: Duration? by typed.setting("request.timeout.ms")

    /**
     * `max.block.ms`: how long `send` may wait for topic metadata or buffer space (Kafka default 60 s).
     * A suspending send waits without holding your thread; see [KProducer.send].
     */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var maxBlock: Duration? by typed.setting("max.block.ms")

    /** `linger.ms`: how long a batch waits for more records before it is sent (Kafka default 5 ms). */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var linger: Duration? by typed.setting("linger.ms")

    /** `batch.size`: the bytes of one partition batch (Kafka default 16384). */
    public var batchSize: Int? by typed.setting("batch.size")

    /** `buffer.memory`: the bytes of records waiting to be sent, all partitions together (Kafka default 32 MiB). */
    public var bufferMemory: Long? by typed.setting("buffer.memory")

    /** `compression.type`: the codec of record batches (Kafka default [Compression.NONE]). */
    public var compression: Compression? by typed.setting("compression.type", toKafka = Compression::kafkaValue)

    /** The level of [compression] (`compression.gzip.level`, `.lz4.level` or `.zstd.level`); see [Compression.levels]. */
    public var compressionLevel: Int? by typed.setting(ConfigRules.COMPRESSION_LEVEL, minimum = Long.MIN_VALUE, ownRule = true)

    /** `max.in.flight.requests.per.connection`: unacknowledged requests per broker (Kafka default 5; at most 5 with idempotence). */
    public var maxInFlight: Int? by typed.setting("max.in.flight.requests.per.connection", minimum = 1)

    /** `max.request.size`: the largest request, and so the largest record, in bytes (Kafka default 1 MiB). */
    public var maxRequestSize: Int? by typed.setting("max.request.size")

    /** `transactional.id`: enables transactions; needs idempotence. */
    public var transactionalId: String? by typed.setting("transactional.id")

    /** `transaction.timeout.ms`: how long a transaction may stay open before the coordinator aborts it (Kafka default 1 min). */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var transactionTimeout: Duration? by typed.setting("transaction.timeout.ms")

    /** `security.protocol`: `PLAINTEXT` (Kafka's default), `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`. Required when [sasl] is set. */
    public var securityProtocol: SecurityProtocol? by typed.setting("security.protocol", ownRule = true)

    /** Sets [bootstrapServers] from several `host:port` values. */
    public fun bootstrapServers(vararg servers: String) {
        bootstrapServers = servers.joinToString(",")
    }

    /** Configures TLS: trust store, and key store for client authentication. */
    @JvmSynthetic
    public fun ssl(configure: SslConfig.() -> Unit) {
        sslConfig = (sslConfig ?: SslConfig()).apply(configure)
    }

    /** Configures SASL authentication with a user name and password. */
    @JvmSynthetic
    public fun sasl(configure: SaslConfig.() -> Unit) {
        saslConfig = (saslConfig ?: SaslConfig()).apply(configure)
    }

    /**
     * Sets a producer property by its Kafka name, for settings without a typed property here. The key
     * must be a producer setting Kafka knows (a typo fails [build] with the closest known key); a
     * setting that has a typed property must be set through it.
     */
    public fun property(
        key: String,
        value: Any,
    ) {
        raw[key] = value
    }

    /**
     * Sets a property that is not a producer setting but is read by a plugin you configured, such as
     * `schema.registry.url` for a schema-registry serializer. Every plugin receives it in
     * `configure(configs, ...)`: partitioners and interceptors given by class name from Kafka, and
     * the key and value serializers from kproducer, which calls `configure(properties, isKey)` on them
     * when it creates the producer (Kafka itself configures only serializers it creates from class
     * names). Not checked; a value whose key looks secret is masked by `toString()`.
     */
    public fun pluginProperty(
        key: String,
        value: Any,
    ) {
        plugin[key] = value
    }

    /**
     * Chooses partitions with a Kotlin lambda instead of Kafka's default (murmur2 of the key):
     * `partitioner { topic, key, value, partitionCount -> ... }`. Called for records without an
     * explicit partition; must return a partition in `0 until partitionCount`.
     */
    public fun partitioner(partitioner: RecordPartitioner<K, V>) {
        partitionerLambda = partitioner
    }

    /**
     * Adds an interceptor that sees (and may replace) each record before it is serialized, as
     * Kafka's `ProducerInterceptor.onSend`. Several run in the order added.
     */
    public fun onSend(interceptor: SendInterceptor<K, V>) {
        sendInterceptors += interceptor
    }

    /**
     * Adds an interceptor told of each record's outcome on Kafka's I/O thread, as Kafka's
     * `ProducerInterceptor.onAcknowledgement`: it must be fast and never block; see [SendListener]
     * for anything slower.
     */
    public fun onAcknowledgement(interceptor: AcknowledgementInterceptor) {
        acknowledgementInterceptors += interceptor
    }

    /** Sets the key serializer; required when the key type has no built-in serializer. Its failures become `SerializationException` naming the topic. */
    public fun keySerializer(serializer: Serializer<K>) {
        keySerializer = GuardedSerializer("key", serializer)
        keySerializerSet = true
    }

    /** Sets the key serializer as a lambda from topic and key to bytes; its failures become `SerializationException`. */
    @JvmSynthetic
    public fun keySerializer(serialize: (topic: String, key: K) -> ByteArray?) {
        keySerializer = lambdaSerializer("key", serialize)
        keySerializerSet = true
    }

    /** Sets the value serializer; required when the value type has no built-in serializer. Its failures become `SerializationException` naming the topic. */
    public fun valueSerializer(serializer: Serializer<V>) {
        valueSerializer = GuardedSerializer("value", serializer)
        valueSerializerSet = true
    }

    /** Sets the value serializer as a lambda from topic and value to bytes; its failures become `SerializationException`. */
    @JvmSynthetic
    public fun valueSerializer(serialize: (topic: String, value: V) -> ByteArray?) {
        valueSerializer = lambdaSerializer("value", serialize)
        valueSerializerSet = true
    }

    /**
     * Validates every setting and returns the immutable settings.
     *
     * @throws KProducerConfigException listing every problem, each with its fix.
     */
    public fun build(): KProducerSettings<K, V> {
        val resolved = ConfigRules.resolve(typedValues() + pluginClasses(), raw, plugin + pluginLambdas(), sslConfig, saslConfig, wording)
        val problems = mutableListOf<String>()
        val key = SerializerProperty.resolve("key", raw, keySerializer, keySerializerSet, wording, problems)
        val value = SerializerProperty.resolve("value", raw, valueSerializer, valueSerializerSet, wording, problems)
        if (key == null) problems.add(0, ConfigRules.missingSerializer("key", keyType, wording))
        if (value == null) problems.add(if (key == null) 1 else 0, ConfigRules.missingSerializer("value", valueType, wording))
        problems += resolved.problems
        problems += behaviour.problems(wording)
        if (problems.isNotEmpty()) throw KProducerConfigException(problems)
        return KProducerSettings(resolved.properties, key!!, value!!, behaviour, resolved.lanes, wording)
    }

    /** How its problems are worded: as this block reads, or as the Java builder that wraps it ([KProducerBuilder]). */
    internal var wording: Wording = Wording.KOTLIN

    /** The typed settings with their values, in the order declared above. */
    internal fun typedValues(): List<TypedValue> = typed.values()

    private fun pluginClasses(): List<TypedValue> =
        listOf(
            TypedValue(PARTITIONER_CLASS, partitionerLambda?.let { LambdaPartitioner::class.java }),
            TypedValue(
                INTERCEPTOR_CLASSES,
                if (sendInterceptors.isEmpty() && acknowledgementInterceptors.isEmpty()) null else listOf(LambdaInterceptor::class.java),
            ),
        )

    private fun pluginLambdas(): Map<String, Any> =
        buildMap {
            partitionerLambda?.let { put(PARTITIONER_KEY, PartitionerLambda(it)) }
            if (sendInterceptors.isNotEmpty() || acknowledgementInterceptors.isNotEmpty()) {
                put(INTERCEPTORS_KEY, InterceptorLambdas(sendInterceptors.toList(), acknowledgementInterceptors.toList()))
            }
        }
}

/** The Kafka settings behind [KProducerConfig.partitioner] and the interceptor blocks. */
private val PARTITIONER_CLASS = TypedSetting("partitioner.class", "partitioner { }", minimum = 0, ownRule = false)
private val INTERCEPTOR_CLASSES = TypedSetting("interceptor.classes", "onSend { } / onAcknowledgement { }", minimum = 0, ownRule = false)
