@file:JvmName("ConsumeTransformProduce")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.ThreadHeaders
import io.github.kproducer.dsl.internal.interruptible
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.future.future
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.Consumer
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.consumer.ConsumerRecords
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.TopicPartition
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration

/**
 * Exactly-once consume-transform-produce: polls [consumer], turns each record into zero or more
 * output records with [transform], and sends them together with the consumer's next offsets in
 * one transaction per poll. Either all of a poll's outputs and its offsets are committed, or none
 * are: after a crash and restart, the output has no duplicates and no gaps for `read_committed`
 * consumers.
 *
 * Requirements: this producer has a `transactionalId` (stable per input partition set, so that a
 * restarted instance fences the old one); [consumer] is subscribed with a `group.id`,
 * `enable.auto.commit=false` and `isolation.level=read_committed`. The consumer is used from one
 * coroutine at a time, its blocking calls on `Dispatchers.IO`.
 *
 * Runs until cancelled or until a poll's transaction fails. On failure the transaction is aborted,
 * the consumer is rewound to its last committed offsets (so a retry starts where the committed
 * output ends), and the exception is rethrown. Suspends; never blocks the caller's thread.
 *
 * @throws org.apache.kafka.common.KafkaException Kafka's exception from the failed transaction.
 */
@OptIn(ExperimentalCoroutinesApi::class)
@JvmSynthetic
public suspend fun <IK, IV, K, V> KProducer<K, V>.consumeTransformProduce(
    consumer: Consumer<IK, IV>,
    pollTimeout: Duration = 200.milliseconds,
    transform: suspend (ConsumerRecord<IK, IV>) -> Iterable<ProducerRecord<K, V>>,
): Nothing {
    val consumerThread = Dispatchers.IO.limitedParallelism(1)
    while (true) {
        val records: ConsumerRecords<IK, IV> = withContext(consumerThread) { interruptible { consumer.poll(pollTimeout.toJavaDuration()) } }
        if (records.isEmpty) continue
        try {
            transaction {
                // Handed over as they are made; the commit waits for all of them and fails if one failed.
                for (record in records) for (output in transform(record)) offer(output)
                val next = records.partitions().associateWith { OffsetAndMetadata(records.records(it).last().offset() + 1) }
                val group = withContext(consumerThread) { consumer.groupMetadata() }
                sendOffsets(next, group)
            }
        } catch (e: Throwable) {
            withContext(NonCancellable + consumerThread) {
                // A cancelled poll can leave the thread interrupted; the rewind must not be cut short by it,
                // nor leave the flag behind on a pooled thread.
                Thread.interrupted()
                runCatching { rewind(consumer, records.partitions()) }.exceptionOrNull()?.let(e::addSuppressed)
                Thread.interrupted()
            }
            throw e
        }
    }
}

/** Moves [consumer] back to the last committed offsets of [partitions] (their beginning when none). */
private fun rewind(
    consumer: Consumer<*, *>,
    partitions: Set<TopicPartition>,
) {
    val committed = consumer.committed(partitions)
    val uncommitted = partitions.filter { committed[it] == null }
    partitions.forEach { partition -> committed[partition]?.let { consumer.seek(partition, it) } }
    if (uncommitted.isNotEmpty()) consumer.seekToBeginning(uncommitted)
}

/**
 * Java form of [consumeTransformProduce]: runs until the returned future is cancelled (which stops
 * it) or a transaction fails (which completes the future exceptionally). Its records carry the headers
 * of the [HeadersScope] open on the calling thread when it was called, if the producer copies them.
 */
public fun <IK, IV, K, V> KProducer<K, V>.consumeTransformProduceAsync(
    consumer: Consumer<IK, IV>,
    transform: java.util.function.Function<ConsumerRecord<IK, IV>, Iterable<ProducerRecord<K, V>>>,
): CompletableFuture<Void?> =
    CoroutineScope(Dispatchers.Default + ThreadHeaders.asCoroutineContext()).future { consumeTransformProduce(consumer) { transform.apply(it) } }
