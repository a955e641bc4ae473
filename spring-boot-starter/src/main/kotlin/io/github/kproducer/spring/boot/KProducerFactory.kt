package io.github.kproducer.spring.boot

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerBuilder
import io.github.kproducer.dsl.RecordPartitioner
import io.github.kproducer.dsl.SendErrorHandler
import io.github.kproducer.dsl.SendListener
import io.github.kproducer.spring.boot.internal.JsonSerializers
import io.github.kproducer.spring.boot.internal.KafkaConnection
import io.github.kproducer.spring.boot.internal.RuntimeTypeSerializer
import io.github.kproducer.spring.boot.internal.SpringKafkaProperties
import io.github.kproducer.spring.boot.internal.StarterSerializers
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.common.serialization.ByteArraySerializer
import org.apache.kafka.common.serialization.Serializer
import org.springframework.beans.factory.ListableBeanFactory
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Creates producers configured the Spring Boot way: Boot's `spring.kafka.*` (connection, security and
 * producer settings, or a `KafkaConnectionDetails` bean such as a `@ServiceConnection`'s), then
 * `kproducer.*` (preset, close timeout, in-flight bound, properties, and `kproducer.producers.<name>.*`),
 * then the application's `SendListener`, `SendErrorHandler` and `RecordPartitioner` beans, Micrometer
 * Observation and OpenTelemetry when present, and last every [KProducerBuilderCustomizer] bean.
 *
 * Keys and values are serialized by type: Kafka's built-in serializer for the types that have one, JSON
 * (through the application's Jackson 3 `JsonMapper`) for the others, unless `spring.kafka.producer.key-serializer`
 * or `value-serializer` names one. A producer of `Object` keys or values picks per record, by its runtime class.
 *
 * Declare your own typed producer bean with it:
 * ```java
 * @Bean KProducer<String, Payment> payments(KProducerFactory producers) {
 *     return producers.create("payments", String.class, Payment.class);
 * }
 * ```
 * Producers made by [create] are closed at shutdown, in the starter's lifecycle phase (after the web server
 * has stopped taking requests), each within `kproducer.close-timeout` and Boot's shutdown-phase timeout.
 * Thread-safe.
 */
public class KProducerFactory internal constructor(
    private val properties: KProducerProperties,
    private val springKafka: SpringKafkaProperties,
    private val beans: ListableBeanFactory,
    private val shutdownPhase: Duration,
) {
    private val created = CopyOnWriteArrayList<KProducer<*, *>>()

    /**
     * A builder for the producer [name] (a bean name; a key of `kproducer.producers` picks up its settings there),
     * with keys and values of [keyType] and [valueType], configured as the class description says; `build()` it
     * yourself, after any change of your own, and close it (a `@Bean` is closed by Spring).
     *
     * @throws IllegalStateException when `spring.kafka.*` holds a setting the starter cannot pass on (an SSL bundle).
     */
    public fun <K, V> builder(
        name: String,
        keyType: Class<K>,
        valueType: Class<V>,
    ): KProducerBuilder<K, V> {
        val named = properties.producers[name]
        val kafka = kafkaProperties(name, named)
        val builder = KProducer.builder(keyType, valueType)
        val json by lazy { JsonSerializers.of(beans) }
        if ("key.serializer" !in kafka) serializerFor("key", keyType) { json }?.let { builder.keySerializer(it.cast()) }
        if ("value.serializer" !in kafka) serializerFor("value", valueType) { json }?.let { builder.valueSerializer(it.cast()) }
        for ((key, value) in kafka) {
            if (key in PRODUCER_SETTINGS) builder.property(key, value) else builder.pluginProperty(key, value)
        }
        builder.closeTimeout(minOf(named?.closeTimeout ?: properties.closeTimeout, shutdownPhase))
        properties.maxInFlightRecords?.let { builder.maxInFlightRecords(it) }
        applyBeans(builder)
        beans.getBeanProvider(KProducerBuilderCustomizer::class.java).orderedStream().forEach { it.customize(name, builder) }
        return builder
    }

    /** A builder for the producer [name] of `Object` keys and values, each serialized by its runtime class; see the typed form. */
    public fun builder(name: String): KProducerBuilder<Any, Any> = builder(name, Any::class.java, Any::class.java)

    /**
     * Builds the producer [name] with keys and values of [keyType] and [valueType]; see [builder]. It is closed
     * at shutdown by the starter.
     *
     * @throws io.github.kproducer.dsl.KProducerConfigException listing every problem of the configuration, each with its fix.
     */
    public fun <K, V> create(
        name: String,
        keyType: Class<K>,
        valueType: Class<V>,
    ): KProducer<K, V> = builder(name, keyType, valueType).build().also { created += it }

    /** Builds the producer [name] of `Object` keys and values, each serialized by its runtime class; see the typed form. */
    public fun create(name: String): KProducer<Any, Any> = create(name, Any::class.java, Any::class.java)

    /** The producers [create] made and that are not closed yet. */
    internal fun open(): List<KProducer<*, *>> = created.filterNot { it.isClosed }

    /** The Kafka properties of the producer [name], by Kafka's names, in the order described on the class. */
    private fun kafkaProperties(
        name: String,
        named: KProducerProperties.NamedProducer?,
    ): Map<String, Any> {
        val kafka = LinkedHashMap<String, Any>()
        (named?.preset ?: properties.preset)?.let { kafka.putAll(presetProperties(it)) }
        kafka.putAll(springKafka.producerProperties())
        beans.getBeanProvider(KafkaConnection::class.java).ifAvailable { it.applyTo(kafka) }
        kafka.putAll(properties.properties)
        if (named != null) {
            named.bootstrapServers?.let { kafka["bootstrap.servers"] = it.toList() }
            kafka["client.id"] = named.clientId ?: name
            named.transactionalId?.let { kafka["transactional.id"] = it }
            kafka.putAll(named.properties)
        }
        return kafka
    }

    @Suppress("UNCHECKED_CAST")
    private fun applyBeans(builder: KProducerBuilder<*, *>) {
        val typed = builder as KProducerBuilder<Any?, Any?>
        beans.getBeanProvider(SendListener::class.java).orderedStream().forEach { typed.listener(it as SendListener<Any?, Any?>) }
        beans.getBeanProvider(SendErrorHandler::class.java).ifUnique { typed.onError(it as SendErrorHandler<Any?, Any?>) }
        beans.getBeanProvider(RecordPartitioner::class.java).ifUnique { typed.partitioner(it as RecordPartitioner<Any?, Any?>) }
    }

    private fun serializerFor(
        role: String,
        type: Class<*>,
        json: () -> Serializer<Any>?,
    ): Serializer<Any>? =
        when {
            type == Any::class.java -> RuntimeTypeSerializer(role, json())
            StarterSerializers.hasBuiltIn(type) -> null
            else -> json()
        }

    @Suppress("UNCHECKED_CAST")
    private fun <T> Serializer<Any>.cast(): Serializer<T> = this as Serializer<T>

    private companion object {
        /** Kafka's producer settings; other keys go to plugins, as Kafka passes them on. */
        val PRODUCER_SETTINGS: Set<String> = ProducerConfig.configNames()

        /** What a preset sets, as properties: later settings then replace them key by key. */
        fun presetProperties(preset: KProducerPreset): Map<String, Any> {
            val builder = KProducer.builder(ByteArraySerializer(), ByteArraySerializer()).bootstrapServers("preset.invalid:9092")
            when (preset) {
                KProducerPreset.RELIABLE -> builder.reliable()
                KProducerPreset.HIGH_THROUGHPUT -> builder.highThroughput()
                KProducerPreset.LOW_LATENCY -> builder.lowLatency()
            }
            return builder.buildSettings().properties - "bootstrap.servers"
        }
    }
}
