package io.github.kproducer.dsl

import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.serialization.Deserializer
import tools.jackson.core.JacksonException
import tools.jackson.databind.ObjectMapper
import tools.jackson.databind.json.JsonMapper

/**
 * Reads JSON written by [JacksonSerializer] (or anyone) into a [type] with Jackson 3: for the
 * consumer side, and for tests that read back what a producer sent:
 * ```java
 * List<ConsumerRecord<String, Payment>> sent = kafka.read("payments", 1,
 *     new StringDeserializer(), new JacksonDeserializer<>(Payment.class), Duration.ofSeconds(30));
 * ```
 * A `null` record value (a tombstone) reads as `null`. Pass the application's own [mapper] to keep its
 * modules; the default is a plain `JsonMapper`.
 *
 * Needs `tools.jackson.core:jackson-databind` on the class path (the version is in `kproducer-bom`).
 * Thread-safe, as the mapper is.
 */
public class JacksonDeserializer<T>
    @JvmOverloads
    constructor(
        private val type: Class<T>,
        private val mapper: ObjectMapper = JsonMapper.builder().build(),
    ) : Deserializer<T> {
        /**
         * The [type] read from [data], or `null` for `null`.
         *
         * @throws SerializationException when [data] is not JSON of [type], naming the type and the topic.
         */
        override fun deserialize(
            topic: String?,
            data: ByteArray?,
        ): T? {
            if (data == null) return null
            return try {
                mapper.readValue(data, type)
            } catch (e: JacksonException) {
                throw SerializationException("Jackson cannot read a ${type.name} from the JSON of a record of topic '$topic': ${e.originalMessage}", e)
            }
        }

        override fun toString(): String = "JacksonDeserializer(${type.simpleName})"
    }
