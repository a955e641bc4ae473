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
