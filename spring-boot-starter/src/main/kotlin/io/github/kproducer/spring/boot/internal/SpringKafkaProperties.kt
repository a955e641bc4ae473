package io.github.kproducer.spring.boot.internal

import org.springframework.boot.context.properties.bind.Bindable
import org.springframework.boot.context.properties.bind.Binder
import org.springframework.core.io.ResourceLoader
import org.springframework.util.unit.DataSize

/**
 * Reads Boot's `spring.kafka.*` producer settings into Kafka producer properties, as Boot's own
 * `KafkaProperties.buildProducerProperties()` would, without spring-kafka on the class path: the shared
 * `spring.kafka.properties` first, then the typed settings (a `spring.kafka.producer.*` one over the
 * shared `spring.kafka.*` one), then `spring.kafka.producer.properties` last.
 */
internal class SpringKafkaProperties(
    private val binder: Binder,
    private val resources: ResourceLoader,
) {
    /** The producer properties, by Kafka's names; `bootstrap.servers` stays a `List`, as Boot gives it. */
    fun producerProperties(): Map<String, Any> {
        val properties = LinkedHashMap<String, Any>()
        properties.putAll(map("spring.kafka.properties"))
        either("bootstrap-servers", STRINGS)?.let { properties["bootstrap.servers"] = it }
        either("client-id", STRING)?.let { properties["client.id"] = it }
        either("security.protocol", STRING)?.let { properties["security.protocol"] = it }
        ssl(properties)
        producer("acks", STRING)?.let { properties["acks"] = it }
        producer("batch-size", DATA_SIZE)?.let { properties["batch.size"] = it.toBytes().toInt() }
        producer("buffer-memory", DATA_SIZE)?.let { properties["buffer.memory"] = it.toBytes() }
        producer("compression-type", STRING)?.let { properties["compression.type"] = it }
        producer("retries", INT)?.let { properties["retries"] = it }
        producer("transaction-id-prefix", STRING)?.let { properties["transactional.id"] = it }
        producer("key-serializer", STRING)?.let { properties["key.serializer"] = it }
        producer("value-serializer", STRING)?.let { properties["value.serializer"] = it }
        properties.putAll(map("spring.kafka.producer.properties"))
        return properties
    }

    private fun ssl(properties: MutableMap<String, Any>) {
        either("ssl.bundle", STRING)?.let {
            throw IllegalStateException(
                "spring.kafka.ssl.bundle ($it) is not supported by kproducer-spring-boot-starter: set the key and trust stores with " +
                    "spring.kafka.ssl.key-store-location / trust-store-location (or their PEM forms), or ssl.* in spring.kafka.properties",
            )
        }
        for ((boot, kafka) in SSL_STRINGS) either("ssl.$boot", STRING)?.let { properties[kafka] = it }
        for ((boot, kafka) in SSL_LOCATIONS) either("ssl.$boot", STRING)?.let { properties[kafka] = file("ssl.$boot", it) }
    }

    /** Kafka reads stores from files: a `classpath:` store must be a file on disk, as Boot requires too. */
    private fun file(
        name: String,
        location: String,
    ): String =
        try {
            resources.getResource(location).file.absolutePath
        } catch (e: java.io.IOException) {
            throw IllegalStateException("spring.kafka.$name '$location' is not a file on disk, and Kafka reads stores from files only", e)
        }

    private fun <T : Any> producer(
        name: String,
        type: Bindable<T>,
    ): T? = binder.bind("spring.kafka.producer.$name", type).orElse(null)

    /** The `spring.kafka.producer.` form of a setting, else the shared `spring.kafka.` one. */
    private fun <T : Any> either(
        name: String,
        type: Bindable<T>,
    ): T? = producer(name, type) ?: binder.bind("spring.kafka.$name", type).orElse(null)

    private fun map(name: String): Map<String, String> = binder.bind(name, STRING_MAP).orElse(null).orEmpty()

    private companion object {
        val STRING: Bindable<String> = Bindable.of(String::class.java)
        val INT: Bindable<Int> = Bindable.of(Int::class.javaObjectType)
        val DATA_SIZE: Bindable<DataSize> = Bindable.of(DataSize::class.java)
        val STRINGS: Bindable<List<String>> = Bindable.listOf(String::class.java)
        val STRING_MAP: Bindable<Map<String, String>> = Bindable.mapOf(String::class.java, String::class.java)

        /** Boot's `ssl.*` names and Kafka's, for the values passed as they are. */
        val SSL_STRINGS =
            mapOf(
                "key-password" to "ssl.key.password",
                "key-store-password" to "ssl.keystore.password",
                "key-store-type" to "ssl.keystore.type",
                "key-store-key" to "ssl.keystore.key",
                "key-store-certificate-chain" to "ssl.keystore.certificate.chain",
                "trust-store-password" to "ssl.truststore.password",
                "trust-store-type" to "ssl.truststore.type",
                "trust-store-certificates" to "ssl.truststore.certificates",
                "protocol" to "ssl.protocol",
            )

        /** Boot's store locations (Spring resources) and Kafka's file names. */
        val SSL_LOCATIONS = mapOf("key-store-location" to "ssl.keystore.location", "trust-store-location" to "ssl.truststore.location")
    }
}
