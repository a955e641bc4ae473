package io.github.kproducer.dsl

import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/**
 * Sends records one at a time and suspends until each is written: what a [KProducer] and an open
 * [KTransaction] have in common, so that code which only sends can take either.
 *
 * The two convenience forms build a `ProducerRecord` and call `send(record)`; its contract (when it
 * returns, what it throws, how it behaves when cancelled) is the one of the implementation:
 * [KProducer.send] or [KTransaction.send]. Thread-safe as the implementation is.
 */
@SubclassOptInRequired(InternalForInheritanceKProducerApi::class)
public interface RecordSender<K, V> {
    /**
     * Sends [record] and returns its metadata once written. Suspends; never blocks the calling thread.
     *
     * @throws org.apache.kafka.common.KafkaException Kafka's own exception when the send fails.
     */
    public suspend fun send(record: ProducerRecord<K, V>): RecordMetadata

    /**
     * Sends a record with [key] and [value] to [topic] (partition chosen by the partitioner); see
     * `send(record)`. A `null` value is a tombstone.
     */
    public suspend fun send(
        topic: String,
        key: K?,
        value: V?,
    ): RecordMetadata = send(ProducerRecord(topic, key, value))

    /**
     * Builds a record for [topic] with [build] (`key`, `value`, `partition`, `timestamp`, `header(...)`)
     * and sends it; see `send(record)`.
     *
     * @throws IllegalArgumentException when [build] does not set `value` (set `value = null` for a tombstone).
     */
    public suspend fun send(
        topic: String,
        build: RecordBuilder<K, V>.() -> Unit,
    ): RecordMetadata = send(producerRecord(topic, build))
}
