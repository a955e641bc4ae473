package io.github.kproducer.dsl

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import java.util.concurrent.CompletableFuture

/**
 * The sending side of one open transaction, the receiver of [KProducer.transaction]. Records sent
 * through it become visible to `read_committed` consumers only when the transaction commits.
 *
 * Valid only inside its `transaction { }` block; using it afterwards fails with
 * `IllegalStateException`. Thread-safe within the block. The `send(topic, key, value)` and
 * `send(topic) { }` forms come from [RecordSender].
 */
@SubclassOptInRequired(InternalForInheritanceKProducerApi::class)
public interface KTransaction<K, V> : RecordSender<K, V> {
    /**
     * Sends [record] in this transaction and returns its metadata once written (not yet committed).
     *
     * @throws org.apache.kafka.common.KafkaException Kafka's exception; the transaction then aborts
     *   when the exception leaves the block.
     */
    override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata

    /** Sends [records] in this transaction like [KProducer.sendAll]. */
    public suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata>

    /**
     * Java form of [sendAll]: the future completes with every record's metadata in input order, or
     * with the first failure (the transaction then aborts when the block's future fails with it).
     * The records are handed over in order, starting on the calling thread; a send made after this
     * returns can overtake the ones it hands over later (when `maxInFlightRecords` are in flight). The
     * commit waits for all of them.
     */
    public fun sendAllAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<RecordMetadata>>

    /**
     * Sends [record] without waiting; it completes by the commit, and if it fails the commit fails
     * (and the transaction aborts) as well. Its failure goes to `onError`, except when the cause is
     * the transaction's own abort (`TransactionAbortedException`): the transaction's caller has that.
     */
    public fun offer(record: ProducerRecord<K, V>)

    /** Fire-and-forget send of [key] and [value] to [topic] in this transaction; see [offer]. */
    public fun offer(
        topic: String,
        key: K?,
        value: V?,
    ): Unit = offer(ProducerRecord(topic, key, value))

    /** Java form of [send]: the future completes once the record is written (not yet committed). */
    public fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata>

    /** Java form of `send(topic, key, value)`; see [sendAsync]. */
    public fun sendAsync(
        topic: String,
        key: K?,
        value: V?,
    ): CompletableFuture<RecordMetadata> = sendAsync(ProducerRecord(topic, key, value))

    /**
     * Adds the consumer's [offsets] (the next offset to read, per partition) to this transaction, so
     * that they are committed to the consumer group of [groupMetadata] exactly when the records
     * are: the consume-transform-produce step of exactly-once processing.
     *
     * Suspends while the transaction coordinator records them (up to `max.block.ms`).
     */
    public suspend fun sendOffsets(
        offsets: Map<TopicPartition, OffsetAndMetadata>,
        groupMetadata: ConsumerGroupMetadata,
    )

    /** Java form of [sendOffsets]. */
    public fun sendOffsetsAsync(
        offsets: Map<TopicPartition, OffsetAndMetadata>,
        groupMetadata: ConsumerGroupMetadata,
    ): CompletableFuture<Void?>
}
