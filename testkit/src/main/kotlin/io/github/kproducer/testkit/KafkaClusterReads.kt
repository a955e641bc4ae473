@file:JvmName("KafkaClusterReads")

package io.github.kproducer.testkit

import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.Deserializer
import org.apache.kafka.common.serialization.StringDeserializer
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * Reads [topic] from the beginning until at least [count] records arrived, and returns every record
 * read by then (possibly more than [count]; each partition's records in offset order).
 *
 * Blocks for at most [timeout].
 *
 * @throws AssertionError when fewer than [count] records arrive within [timeout].
 */
public fun <K, V> KafkaCluster.read(
    topic: String,
    count: Int,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
    timeout: Duration = KafkaCluster.DEFAULT_READ_TIMEOUT,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<K, V>> {
    require(count >= 0) { "count must not be negative, was $count" }
    return read(topic, keyDeserializer, valueDeserializer, timeout, isolationLevel) { it.size >= count }
}

/**
 * Java form of [read]: reads [topic] from the beginning with the given deserializers until at least
 * [count] records arrived, and returns every record read by then.
 *
 * Blocks the calling thread for at most [timeout]. `READ_COMMITTED` leaves out open and aborted
 * transactions.
 *
 * @throws AssertionError when fewer than [count] records arrive within [timeout].
 * @throws IllegalArgumentException when [count] is negative.
 */
@JvmOverloads
public fun <K, V> KafkaCluster.read(
    topic: String,
    count: Int,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
    timeout: java.time.Duration,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<K, V>> = read(topic, count, keyDeserializer, valueDeserializer, timeout.toKotlinDuration(), isolationLevel)

/**
 * Reads [topic] with String keys and values until at least [count] records arrived; see [read].
 *
 * @throws AssertionError when fewer than [count] records arrive within [timeout].
 */
@JvmSynthetic
public fun KafkaCluster.readStrings(
    topic: String,
    count: Int,
    timeout: Duration = KafkaCluster.DEFAULT_READ_TIMEOUT,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<String?, String?>> = read(topic, count, StringDeserializer(), StringDeserializer(), timeout, isolationLevel)

/**
 * Java form of [readStrings]: reads [topic] with String keys and values until at least [count]
 * records arrived, for at most [timeout].
 *
 * Blocks the calling thread for at most [timeout]. `READ_COMMITTED` leaves out open and aborted
 * transactions.
 *
 * @throws AssertionError when fewer than [count] records arrive within [timeout].
 */
@JvmOverloads
public fun KafkaCluster.readStrings(
    topic: String,
    count: Int,
    timeout: java.time.Duration,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<String?, String?>> = readStrings(topic, count, timeout.toKotlinDuration(), isolationLevel)

/**
 * Reads every record of [topic] up to its current end with String keys and values; see
 * [KafkaCluster.readAll]. `READ_COMMITTED` leaves out open and aborted transactions.
 *
 * @throws AssertionError when the end is not reached within [timeout].
 */
@JvmSynthetic
public fun KafkaCluster.readAllStrings(
    topic: String,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
    timeout: Duration = KafkaCluster.DEFAULT_READ_TIMEOUT,
): List<ConsumerRecord<String?, String?>> = readAll(topic, StringDeserializer(), StringDeserializer(), timeout, isolationLevel)

/** Java form of [readAllStrings]. */
public fun KafkaCluster.readAllStrings(
    topic: String,
    isolationLevel: IsolationLevel,
    timeout: java.time.Duration,
): List<ConsumerRecord<String?, String?>> = readAllStrings(topic, isolationLevel, timeout.toKotlinDuration())
