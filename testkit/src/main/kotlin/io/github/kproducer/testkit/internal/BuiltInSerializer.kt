package io.github.kproducer.testkit.internal

import org.apache.kafka.common.serialization.ByteArraySerializer
import org.apache.kafka.common.serialization.ByteBufferSerializer
import org.apache.kafka.common.serialization.BytesSerializer
import org.apache.kafka.common.serialization.DoubleSerializer
import org.apache.kafka.common.serialization.FloatSerializer
import org.apache.kafka.common.serialization.IntegerSerializer
import org.apache.kafka.common.serialization.LongSerializer
import org.apache.kafka.common.serialization.Serializer
import org.apache.kafka.common.serialization.ShortSerializer
import org.apache.kafka.common.serialization.StringSerializer
import org.apache.kafka.common.serialization.UUIDSerializer
import org.apache.kafka.common.utils.Bytes
import java.nio.ByteBuffer
import java.util.UUID

/**
 * Kafka's built-in serializer for [type]; the test kit does not depend on the DSL, so the mock
 * producer finds them itself.
 *
 * @throws IllegalArgumentException when Kafka has no serializer for [type].
 */
internal fun <T> builtInSerializer(type: Class<*>): Serializer<T> {
    @Suppress("UNCHECKED_CAST")
    val serializer: Serializer<*> =
        when (type.kotlin.javaObjectType) {
            String::class.java -> StringSerializer()

            ByteArray::class.java -> ByteArraySerializer()

            Integer::class.java -> IntegerSerializer()

            java.lang.Long::class.java -> LongSerializer()

            java.lang.Short::class.java -> ShortSerializer()

            java.lang.Double::class.java -> DoubleSerializer()

            java.lang.Float::class.java -> FloatSerializer()

            UUID::class.java -> UUIDSerializer()

            ByteBuffer::class.java -> ByteBufferSerializer()

            Bytes::class.java -> BytesSerializer()

            else -> throw IllegalArgumentException(
                "Kafka has no built-in serializer for ${type.name}; pass serializers: MockKafkaProducer(keySerializer, valueSerializer) { ... }",
            )
        }
    @Suppress("UNCHECKED_CAST")
    return serializer as Serializer<T>
}
