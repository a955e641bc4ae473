@file:JvmName("KafkaProducers")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.DefaultKProducer
import io.github.kproducer.dsl.internal.config.BuiltInSerializers
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.send.ClientProbe
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.common.serialization.Serializer
import kotlin.reflect.typeOf

/**
 * Builds a [KProducer] from a typed, validated configuration block:
 * ```
 * val producer = kafkaProducer<String, String> {
 *     bootstrapServers = "broker1:9092,broker2:9092"
 *     acks = Acks.ALL
 *     linger = 10.milliseconds
 * }
 * ```
 * Serializers for String, ByteArray, Int, Long, Short, Double, Float, UUID, ByteBuffer and Bytes are
 * inferred from [K] and [V]; other types need `keySerializer(...)` / `valueSerializer(...)`.
 *
 * @throws KProducerConfigException listing every problem of the configuration at once.
 */
public inline fun <reified K, reified V> kafkaProducer(configure: KProducerConfig<K, V>.() -> Unit): KProducer<K, V> =
    KProducer(kafkaProducerSettings(configure))

/**
 * Validates a configuration block like [kafkaProducer] does and returns the settings without creating
 * a producer, to inspect them or to create several producers with [KProducer].
 *
 * @throws KProducerConfigException listing every problem of the configuration at once.
 */
public inline fun <reified K, reified V> kafkaProducerSettings(configure: KProducerConfig<K, V>.() -> Unit): KProducerSettings<K, V> =
    newConfig<K, V>(K::class.java, V::class.java, typeOf<K>().toString(), typeOf<V>().toString()).apply(configure).build()

/**
 * Creates a producer (a new Kafka client) from validated [settings].
 *
 * Like Kafka does for serializers it creates from class names, this calls `configure(properties,
 * isKey)` on the key and value serializers first, with the settings' properties (plugin properties
 * included, so a schema-registry serializer finds `schema.registry.url`). A serializer you configured
 * yourself gets that call too; pass its settings as `pluginProperty(...)`.
 *
 * @throws org.apache.kafka.common.KafkaException when a serializer refuses its configuration, or the
 *   Kafka client cannot be created (for example a trust store that cannot be read).
 */
@JvmSynthetic
public fun <K, V> KProducer(settings: KProducerSettings<K, V>): KProducer<K, V> {
    settings.keySerializer.configure(HashMap(settings.properties), true)
    settings.valueSerializer.configure(HashMap(settings.properties), false)
    val client = KafkaProducer(settings.properties, settings.keySerializer, settings.valueSerializer)
    val tuning = settings.laneTuning
    val probe = ClientProbe.of(client, tuning.maxBlockMs, tuning.lowBufferBytes, tuning.blindReadyNanos)
    return DefaultKProducer(client, settings.behaviour, settings.bootstrapServers, probe, settings.isTransactional, settings.wording)
}

/**
 * Wraps this existing Kafka producer (a `KafkaProducer`, Kafka's `MockProducer`, the test kit's
 * mock...) in a [KProducer], with [configure] setting its [KProducerOptions]: where failures of
 * fire-and-forget sends go, listeners, in-flight bounds and the close timeout.
 *
 * The [KProducer] takes ownership: closing it closes this producer. Only the options are validated;
 * the producer's own settings are what it was created with.
 *
 * A wrapped idempotent `KafkaProducer` gets the same guard of new partitions as a built one (see
 * [KProducer], *New partitions*): kproducer reads how it picks partitions. Any other [Producer] (a
 * decorator around a `KafkaProducer`, a mock) is sent to as it is: kproducer cannot tell in advance
 * which partition it will pick for a record.
 *
 * @throws KProducerConfigException when an option is invalid, listing every problem at once.
 */
@JvmSynthetic
public fun <K, V> Producer<K, V>.asKProducer(configure: KProducerOptions<K, V>.() -> Unit = {}): KProducer<K, V> = wrap(this, Wording.KOTLIN, configure)

/** [asKProducer], with its problems and messages in [wording]. */
internal fun <K, V> wrap(
    producer: Producer<K, V>,
    wording: Wording,
    configure: KProducerOptions<K, V>.() -> Unit,
): KProducer<K, V> {
    val options = KProducerOptions<K, V>().apply(configure)
    val problems = options.behaviour.problems(wording)
    if (problems.isNotEmpty()) throw KProducerConfigException(problems)
    return DefaultKProducer(producer, options.behaviour, null, ClientProbe.of(producer), transactional = false, wording = wording)
}

/** Creates a configuration builder with serializers inferred from the key and value classes. */
@PublishedApi
@JvmSynthetic
internal fun <K, V> newConfig(
    keyClass: Class<*>,
    valueClass: Class<*>,
    keyType: String,
    valueType: String,
): KProducerConfig<K, V> = KProducerConfig(BuiltInSerializers.forClass(keyClass), BuiltInSerializers.forClass(valueClass), keyType, valueType)

/**
 * Creates a configuration builder with the given serializers, guarded as `keySerializer(...)` and
 * `valueSerializer(...)` guard theirs: one failing serializer surfaces the same way on every path.
 */
internal fun <K, V> newConfig(
    keySerializer: Serializer<K>,
    valueSerializer: Serializer<V>,
): KProducerConfig<K, V> =
    KProducerConfig<K, V>(null, null, "explicit", "explicit").apply {
        keySerializer(keySerializer)
        valueSerializer(valueSerializer)
    }
