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
