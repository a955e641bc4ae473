@file:JvmName("KafkaClusterReads")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.DEFAULT_READ_TIMEOUT
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.Deserializer
import kotlin.time.Duration
import kotlin.time.toJavaDuration

// The Kotlin forms of KafkaCluster's reads, taking a kotlin.time.Duration; hidden from Java, which
// calls the members with a java.time.Duration. Same argument order: topic, count, deserializers,
// timeout, isolation level.

/**
 * Reads [topic] from the beginning until at least [count] records arrived, and returns every record
 * read by then (possibly more than [count]; each partition's records in offset order).
 *
 * Blocks for at most [timeout] (default 30 seconds).
 *
 * @throws AssertionError when fewer than [count] records arrive within [timeout].
 * @throws IllegalArgumentException when [count] is negative.
 */
@JvmSynthetic
public fun <K, V> KafkaCluster.read(
    topic: String,
    count: Int,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
    timeout: Duration = DEFAULT_READ_TIMEOUT,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<K, V>> = read(topic, count, keyDeserializer, valueDeserializer, timeout.toJavaDuration(), isolationLevel)

/**
 * Reads [topic] with String keys and values until at least [count] records arrived; see [read].
 *
 * Blocks for at most [timeout] (default 30 seconds).
 *
 * @throws AssertionError when fewer than [count] records arrive within [timeout].
 */
@JvmSynthetic
public fun KafkaCluster.readStrings(
    topic: String,
    count: Int,
    timeout: Duration = DEFAULT_READ_TIMEOUT,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<String?, String?>> = readStrings(topic, count, timeout.toJavaDuration(), isolationLevel)

/**
 * Reads every record of [topic] up to its current end with String keys and values; see
 * [KafkaCluster.readAll]. `READ_COMMITTED` leaves out open and aborted transactions.
 *
 * Blocks for at most [timeout] (default 30 seconds).
 *
 * @throws AssertionError when the end is not reached within [timeout].
 */
@JvmSynthetic
public fun KafkaCluster.readAllStrings(
    topic: String,
    timeout: Duration = DEFAULT_READ_TIMEOUT,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): List<ConsumerRecord<String?, String?>> = readAllStrings(topic, timeout.toJavaDuration(), isolationLevel)
