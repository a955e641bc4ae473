@file:JvmName("KafkaClusterProbes")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.DEFAULT_READ_TIMEOUT
import io.github.kproducer.testkit.internal.LiveReader
import io.github.kproducer.testkit.internal.describe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.Deserializer
import org.apache.kafka.common.serialization.StringDeserializer
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/*
 * Live probes: watch a topic from "now" on, so a test subscribes, acts, then awaits exactly the new records.
 */

/**
 * Returns a cold flow of the records produced to [topic] after collection starts: each collection
 * opens its own assigned (group-less) consumer and fixes the topic's end offsets (the last stable
 * offsets with `READ_COMMITTED`) before its first suspension, so with Turbine
 * (`kafka.records("orders").test { ... }`, which starts collecting before it runs its block) a record
 * produced inside the block is always seen, and none produced before. Records come in arrival order,
 * each partition's in offset order. The partitions are those the topic had when collection started.
 *
 * The flow never completes by itself: end it with the collector (Turbine's block, `take`, a
 * timeout). Starting blocks the collector's thread for at most [startTimeout] (metadata and end
 * offsets); polling then runs on [Dispatchers.IO], never on the collector's dispatcher. Cancellation
 * or the end of collection closes the consumer (within about 100 ms, plus at most a second to close).
 *
 * @throws AssertionError (from collection) when the topic does not exist, its end offsets are not
 *   known within [startTimeout], or Kafka fails in a way retrying cannot fix (a deserializer, authorization).
 */
@JvmSynthetic
public fun <K, V> KafkaCluster.records(
    topic: String,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
    startTimeout: Duration = DEFAULT_READ_TIMEOUT,
): Flow<ConsumerRecord<K, V>> =
    flow {
        // Opened on the collector's thread, before any suspension: the start offsets are fixed when collect returns to its caller.
        val reader = LiveReader.open(connectionProperties(), topic, keyDeserializer, valueDeserializer, isolationLevel, startTimeout)
        try {
            while (true) {
                val batch = withContext(Dispatchers.IO) { reader.poll() }
                for (record in batch) emit(record)
            }
        } finally {
            withContext(NonCancellable + Dispatchers.IO) { reader.close() }
        }
    }

/**
 * Returns a cold flow of the records produced to [topic] after collection starts, with String keys
 * and values; see the form with deserializers.
 */
@JvmSynthetic
public fun KafkaCluster.records(
    topic: String,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): Flow<ConsumerRecord<String?, String?>> = records(topic, StringDeserializer(), StringDeserializer(), isolationLevel)

/**
 * Creates a [RecordProbe] on [topic]: its consumer's positions are the topic's end offsets (the last
 * stable offsets with `READ_COMMITTED`) when this returns, so the probe sees exactly the records
 * produced afterwards. The caller closes it.
 *
 * Blocks for at most [startTimeout].
 *
 * @throws AssertionError when the topic does not exist, or its end offsets are not known within [startTimeout].
 */
@JvmOverloads
public fun <K, V> KafkaCluster.probe(
    topic: String,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
    startTimeout: java.time.Duration = java.time.Duration.ofSeconds(30),
): RecordProbe<K, V> =
    RecordProbe(LiveReader.open(connectionProperties(), topic, keyDeserializer, valueDeserializer, isolationLevel, startTimeout.toKotlinDuration()))

/**
 * Creates a [RecordProbe] on [topic] with String keys and values; see the form with deserializers.
 *
 * @throws AssertionError when the topic does not exist, or its end offsets are not known within 30 seconds.
 */
@JvmOverloads
public fun KafkaCluster.probeStrings(
    topic: String,
    isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
): RecordProbe<String?, String?> = probe(topic, StringDeserializer(), StringDeserializer(), isolationLevel)

/**
 * Asserts that this flow emits nothing within [within], and returns it: collects it for [within]
 * and fails as soon as an item comes. With [records] it says "nothing new reaches the topic for
 * [within] from now on".
 *
 * Suspends for [within] (in real time, also under a test dispatcher's virtual time); cancellation
 * stops the collection.
 *
 * @throws AssertionError naming the first item emitted.
 */
@JvmSynthetic
public suspend fun <T> Flow<T>.shouldEmitNothingWithin(within: Duration): Flow<T> {
    val flow = this
    val first = withContext(Dispatchers.Default) { withTimeoutOrNull(within) { listOf(flow.first()) } }
    if (first != null) throw AssertionError("Expected nothing within $within, but got: ${describe(first.single())}")
    return this
}
