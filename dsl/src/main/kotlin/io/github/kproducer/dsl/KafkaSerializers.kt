@file:JvmName("KafkaSerializers")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.BuiltInSerializers
import org.apache.kafka.common.serialization.Serializer

/**
 * Kafka's built-in serializer for values of [type], the one `kafkaProducer<K, V> { }` and
 * `KProducer.builder(keyType, valueType)` infer: for `String`, `byte[]`, `Integer`, `Long`, `Short`,
 * `Double`, `Float`, `UUID`, `ByteBuffer` (and its subclasses) and `Bytes`; null for any other type.
 * A new instance on every call. Java: `KafkaSerializers.builtInSerializer(String.class)`.
 */
public fun <T> builtInSerializer(type: Class<T>): Serializer<T>? = BuiltInSerializers.forClass(type)
