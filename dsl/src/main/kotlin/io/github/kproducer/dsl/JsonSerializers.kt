@file:JvmName("JsonSerializers")

package io.github.kproducer.dsl

import kotlinx.serialization.KSerializer
import kotlinx.serialization.json.Json
import kotlinx.serialization.serializer
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.serialization.Deserializer
import org.apache.kafka.common.serialization.Serializer

/**
 * A Kafka [Serializer] that writes [T] as UTF-8 JSON with kotlinx.serialization (`@Serializable`
 * classes, collections, primitives): `valueSerializer(jsonSerializer<UserEvent>())`.
 *
 * Needs `org.jetbrains.kotlinx:kotlinx-serialization-json` on the class path (an optional
 * dependency of the DSL) and the serialization compiler plugin for your classes. `null` serializes
 * to `null` (a tombstone). A failure surfaces as Kafka's `SerializationException`.
 */
public inline fun <reified T> jsonSerializer(json: Json = Json): Serializer<T> = jsonSerializer(json.serializersModule.serializer<T>(), json)

/** A JSON [Serializer] with an explicit [serializer]; see the reified form. */
public fun <T> jsonSerializer(
    serializer: KSerializer<T>,
    json: Json = Json,
): Serializer<T> =
    Serializer { topic, data ->
        if (data == null) {
            null
        } else {
            try {
                json.encodeToString(serializer, data).encodeToByteArray()
            } catch (e: kotlinx.serialization.SerializationException) {
                throw SerializationException("Cannot write ${serializer.descriptor.serialName} as JSON for topic '$topic': ${e.message}", e)
            }
        }
    }

/**
 * A Kafka [Deserializer] that reads UTF-8 JSON into [T], the counterpart of [jsonSerializer] for
 * consumers and tests. A failure surfaces as Kafka's `SerializationException`.
 */
public inline fun <reified T> jsonDeserializer(json: Json = Json): Deserializer<T> = jsonDeserializer(json.serializersModule.serializer<T>(), json)

/** A JSON [Deserializer] with an explicit [serializer]; see the reified form. */
public fun <T> jsonDeserializer(
    serializer: KSerializer<T>,
    json: Json = Json,
): Deserializer<T> =
    Deserializer { topic, bytes ->
        if (bytes == null) {
            null
        } else {
            try {
                json.decodeFromString(serializer, bytes.decodeToString())
            } catch (e: IllegalArgumentException) {
                throw SerializationException("Cannot read ${serializer.descriptor.serialName} from JSON of topic '$topic': ${e.message}", e)
            }
        }
    }
