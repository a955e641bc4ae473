package io.github.kproducer.dsl

import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.serialization.Serializer
import tools.jackson.core.JacksonException
import tools.jackson.databind.ObjectMapper
import tools.jackson.databind.json.JsonMapper

/**
 * Writes values (or keys) as JSON with Jackson 3, the way a Spring Boot 4 service already writes its
 * JSON:
 * ```java
 * KProducer<String, Payment> producer = KProducer.builder(new StringSerializer(), new JacksonSerializer<Payment>())
 *     .bootstrapServers("broker1:9092")
 *     .build();
 * ```
 * Pass the application's own [mapper] (Spring Boot's `JsonMapper` bean, say) to keep its modules and
 * naming; the default is a plain `JsonMapper`. A `null` value is written as `null` (a tombstone), not
 * as the JSON text `null`. Read the records back with [JacksonDeserializer].
 *
 * Needs `tools.jackson.core:jackson-databind` on the class path (the version is in `kproducer-bom`).
 * Thread-safe, as the mapper is.
 */
public class JacksonSerializer<T>
    @JvmOverloads
    constructor(
        private val mapper: ObjectMapper = JsonMapper.builder().build(),
    ) : Serializer<T> {
        /**
         * The JSON of [data], or `null` for `null`.
         *
         * @throws SerializationException when Jackson cannot write [data], naming its class and the topic.
         */
        override fun serialize(
            topic: String?,
            data: T?,
        ): ByteArray? {
            if (data == null) return null
            return try {
                mapper.writeValueAsBytes(data)
            } catch (e: JacksonException) {
                throw SerializationException("Jackson cannot write a ${data!!::class.java.name} as JSON for topic '$topic': ${e.originalMessage}", e)
            }
        }

        override fun toString(): String = "JacksonSerializer"
    }
