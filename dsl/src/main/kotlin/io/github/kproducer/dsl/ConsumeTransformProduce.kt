@file:JvmName("ConsumeTransformProduce")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.send.ThreadHeaders
import io.github.kproducer.dsl.internal.send.interruptible
import io.github.kproducer.dsl.internal.tx.DefaultConsumeTransformProduceLoop
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.async
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.Consumer
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.consumer.ConsumerRecords
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.TopicPartition
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
 * Java form of [consumeTransformProduce]: starts the loop on the producer's coroutines and returns at
 * once with a [ConsumeTransformProduceLoop], which stops it when closed (try-with-resources) and
 * whose [ConsumeTransformProduceLoop.completion] fails with Kafka's exception if a transaction fails
 * (that transaction aborted, the consumer rewound to its last committed offsets).
 *
 * ```java
 * try (ConsumeTransformProduceLoop loop = ConsumeTransformProduce.startConsumeTransformProduce(producer, consumer,
 *         record -> List.of(new ProducerRecord<>("orders-enriched", record.key(), enrich(record.value()))))) {
 *     ... // runs until closed
 * }
 * consumer.close(); // free: the loop has ended
 * ```
 * The consumer is used only by the loop until the loop has ended. The records carry the headers of
 * the [HeadersScope] open on the calling thread when the loop was started, if the producer copies them.
 * Never blocks the calling thread.
 */
public fun <IK, IV, K, V> KProducer<K, V>.startConsumeTransformProduce(
    consumer: Consumer<IK, IV>,
    transform: java.util.function.Function<ConsumerRecord<IK, IV>, Iterable<ProducerRecord<K, V>>>,
): ConsumeTransformProduceLoop {
    val loop = CoroutineScope(Dispatchers.Default + ThreadHeaders.asCoroutineContext()).async { consumeTransformProduce(consumer) { transform.apply(it) } }
    return DefaultConsumeTransformProduceLoop(loop)
}
