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
        convertOrFail(data, { "Cannot write ${serializer.descriptor.serialName} as JSON for topic '$topic'" }) {
            json.encodeToString(serializer, it).encodeToByteArray()
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
        convertOrFail(bytes, { "Cannot read ${serializer.descriptor.serialName} from JSON of topic '$topic'" }) {
            json.decodeFromString(serializer, it.decodeToString())
        }
    }

/**
 * Converts [input] with [convert]; `null` stays `null`. A failure of kotlinx.serialization (an
 * `IllegalArgumentException`, its `SerializationException` included) becomes Kafka's
 * [SerializationException], its message [what] failed and why.
 */
private inline fun <I : Any, O> convertOrFail(
    input: I?,
    what: () -> String,
    convert: (I) -> O,
): O? {
    if (input == null) return null
    return try {
        convert(input)
    } catch (e: IllegalArgumentException) {
        throw SerializationException("${what()}: ${e.message}", e)
    }
}
