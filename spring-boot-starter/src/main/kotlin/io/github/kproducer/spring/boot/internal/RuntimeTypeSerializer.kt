package io.github.kproducer.spring.boot.internal

import io.github.kproducer.dsl.builtInSerializer
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.header.Headers
import org.apache.kafka.common.serialization.Serializer
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.ConcurrentHashMap

/** Kafka's built-in serializers, the DSL's own inference, and JSON (when the application has Jackson) for the rest. */
internal object StarterSerializers {
    /** Kafka's serializer for [type], or null when it has none (a `ByteBuffer` subclass counts as a `ByteBuffer`). */
    @Suppress("UNCHECKED_CAST")
    fun builtInFor(type: Class<*>): Serializer<Any>? = builtInSerializer(type) as Serializer<Any>?

    /** Whether Kafka has a built-in serializer for [type]. */
    fun hasBuiltIn(type: Class<*>): Boolean = builtInFor(type) != null
}

/**
 * Serializes each key or value by its runtime class: Kafka's built-in serializer for the types that have
 * one (String, byte[], Integer, Long, Short, Double, Float, UUID, ByteBuffer, Bytes), [json] for every
 * other type, or a [SerializationException] naming the type and the fix when there is no JSON.
 * The choice per class is made once and kept. Thread-safe.
 */
internal class RuntimeTypeSerializer(
    private val role: String,
    private val json: Serializer<Any>?,
) : Serializer<Any> {
    private val byClass = ConcurrentHashMap<Class<*>, Serializer<Any>>()
    private val string = StringSerializer()

    /** The same as with headers: Kafka calls that form, and a serializer's own form without headers is its default. */
    override fun serialize(
        topic: String?,
        data: Any?,
    ): ByteArray? = serialize(topic, null, data)

    override fun serialize(
        topic: String?,
        headers: Headers?,
        data: Any?,
    ): ByteArray? =
        when (data) {
            null -> null
            is String -> string.serialize(topic, data)
            else -> forClass(data.javaClass).serialize(topic, headers, data)
        }

    private fun forClass(type: Class<*>): Serializer<Any> =
        byClass[type] ?: byClass.computeIfAbsent(type) {
            StarterSerializers.builtInFor(it) ?: json ?: throw SerializationException(
                "No serializer for the $role type ${it.name}: without Jackson on the class path the starter serializes only " +
                    "String, byte[], Integer, Long, Short, Double, Float, UUID, ByteBuffer and Bytes; add Jackson " +
                    "(tools.jackson.core:jackson-databind), set spring.kafka.producer.$role-serializer, or declare the producer " +
                    "with KProducerFactory.builder(keyType, valueType) and a serializer of your own",
            )
        }

    override fun toString(): String = "RuntimeTypeSerializer(built-in types${if (json != null) ", JSON for the rest" else ""})"
}
