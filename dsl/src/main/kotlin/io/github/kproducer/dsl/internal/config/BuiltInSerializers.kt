package io.github.kproducer.dsl.internal.config

import org.apache.kafka.common.errors.SerializationException
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
import org.apache.kafka.common.utils.Utils
import java.nio.ByteBuffer
import java.util.UUID

/** Kafka's built-in serializers, by the Java class of the type they serialize. */
internal object BuiltInSerializers {
    private val byClass: Map<Class<*>, () -> Serializer<*>> =
        mapOf(
            String::class.java to ::StringSerializer,
            ByteArray::class.java to ::ByteArraySerializer,
            Int::class.javaObjectType to ::IntegerSerializer,
            Long::class.javaObjectType to ::LongSerializer,
            Short::class.javaObjectType to ::ShortSerializer,
            Double::class.javaObjectType to ::DoubleSerializer,
            Float::class.javaObjectType to ::FloatSerializer,
            UUID::class.java to ::UUIDSerializer,
            ByteBuffer::class.java to ::ByteBufferSerializer,
            Bytes::class.java to ::BytesSerializer,
        )

    /** The built-in serializer for [type], or `null` when Kafka has none; a `ByteBuffer` subclass (a read-only buffer) counts as a `ByteBuffer`. */
    @Suppress("UNCHECKED_CAST")
    fun <T> forClass(type: Class<*>): Serializer<T>? {
        val boxed = if (type.isPrimitive) type.kotlin.javaObjectType else type
        val make = byClass[boxed] ?: if (ByteBuffer::class.java.isAssignableFrom(boxed)) byClass[ByteBuffer::class.java] else null
        return make?.invoke() as Serializer<T>?
    }

    val supported: String get() = "String, ByteArray, Int, Long, Short, Double, Float, UUID, ByteBuffer and Bytes"
}
