package io.github.kproducer.dsl.internal

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

    /** The built-in serializer for [type], or `null` when Kafka has none. */
    @Suppress("UNCHECKED_CAST")
    fun <T> forClass(type: Class<*>): Serializer<T>? {
        val boxed = if (type.isPrimitive) type.kotlin.javaObjectType else type
        return byClass[boxed]?.invoke() as Serializer<T>?
    }

    val supported: String get() = "String, ByteArray, Int, Long, Short, Double, Float, UUID, ByteBuffer and Bytes"
}

/**
 * A [Serializer] made of a lambda from topic and data to bytes; `null` data serializes to `null`.
 * A failure of the lambda surfaces as Kafka's [SerializationException], naming the topic.
 */
internal fun <T> lambdaSerializer(
    role: String,
    serialize: (topic: String, data: T) -> ByteArray?,
): Serializer<T> = GuardedSerializer(role, Serializer { topic, data -> if (data == null) null else serialize(topic, data) }, named = false)

/**
 * A user's [Serializer] whose failures surface as Kafka's [SerializationException] naming the role,
 * the serializer's class when [named], and the topic; Kafka itself would let any other exception
 * escape `send` as is.
 */
internal class GuardedSerializer<T>(
    private val role: String,
    private val delegate: Serializer<T>,
    private val named: Boolean = true,
) : Serializer<T> {
    override fun configure(
        configs: MutableMap<String, *>?,
        isKey: Boolean,
    ) {
        delegate.configure(configs, isKey)
    }

    override fun serialize(
        topic: String,
        data: T?,
    ): ByteArray? = guard(topic) { delegate.serialize(topic, data) }

    override fun serialize(
        topic: String,
        headers: org.apache.kafka.common.header.Headers?,
        data: T?,
    ): ByteArray? = guard(topic) { delegate.serialize(topic, headers, data) }

    private inline fun guard(
        topic: String,
        serialize: () -> ByteArray?,
    ): ByteArray? =
        try {
            serialize()
        } catch (e: SerializationException) {
            throw e
        } catch (e: Exception) {
            val which = if (named) "$role serializer ${delegate.javaClass.name}" else "$role serializer"
            throw SerializationException("The $which failed for a record to topic '$topic': $e", e)
        }

    override fun close() {
        delegate.close()
    }

    override fun toString(): String = delegate.toString()

    /** The class of the user's serializer (a lambda's own class when it is one). */
    val delegateClass: Class<*> get() = delegate.javaClass

    /** The name `KProducerSettings.toString()` shows: the user's serializer class, or `lambda`. */
    val displayName: String get() = if (named) delegate.javaClass.simpleName else "lambda"
}

/** The name of a serializer as `KProducerSettings.toString()` shows it, never `GuardedSerializer`. */
internal fun Serializer<*>.displayName(): String = (this as? GuardedSerializer<*>)?.displayName ?: javaClass.simpleName

/**
 * The serializer a `key.serializer` or `value.serializer` property names, as Kafka reads it (a
 * `Serializer` class, or its name), weighed against the serializer the configuration has: one set
 * explicitly must be the same class, or it is a problem (Kafka would use the instance and drop the
 * property without a word); an inferred one (a built-in chosen by type) gives way to the property.
 */
internal object SerializerProperty {
    /** The serializer for [role] (`key` or `value`), adding to [problems] what is wrong. */
    fun <T> resolve(
        role: String,
        raw: Map<String, Any>,
        current: Serializer<T>?,
        explicit: Boolean,
        wording: Wording,
        problems: MutableList<String>,
    ): Serializer<T>? {
        val key = "$role.serializer"
        val value = raw[key] ?: return current
        val type = serializerClass(key, value, problems) ?: return current
        if (explicit) {
            val guarded = current as? GuardedSerializer<*>
            val actual = guarded?.delegateClass ?: current?.javaClass
            if (actual != type) {
                val described = if (guarded?.displayName == "lambda") "a lambda" else actual?.name
                problems += "'$key' is ${type.name}, but ${wording.setting("${role}Serializer")} is $described; " +
                    "Kafka would use the ${role}Serializer and ignore the property: keep one " +
                    "(remove ${wording.call("property", "\"$key\", ...")} or the ${role}Serializer)"
            }
            return current
        }
        @Suppress("UNCHECKED_CAST")
        return GuardedSerializer(role, Utils.newInstance(type) as Serializer<T>)
    }

    private fun serializerClass(
        key: String,
        value: Any,
        problems: MutableList<String>,
    ): Class<*>? {
        val type =
            when (value) {
                is Class<*> -> {
                    value
                }

                is String -> {
                    try {
                        Class.forName(value.trim(), true, Utils.getContextOrKafkaClassLoader())
                    } catch (_: ClassNotFoundException) {
                        problems += "'$key' names ${value.trim()}, which is not on the class path"
                        return null
                    }
                }

                else -> {
                    problems += "'$key' must be a Serializer class or its name, was a ${value.javaClass.name}"
                    return null
                }
            }
        if (!Serializer::class.java.isAssignableFrom(type)) {
            problems += "'$key' names ${type.name}, which does not implement ${Serializer::class.java.name}"
            return null
        }
        return type
    }
}
