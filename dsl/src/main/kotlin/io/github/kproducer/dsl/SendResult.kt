package io.github.kproducer.dsl

import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/**
 * The outcome of one record of [KProducer.sendAllSettled]: the record and either its metadata or
 * Kafka's exception.
 */
public class SendResult<K, V> internal constructor(
    /** The record that was sent. */
    public val record: ProducerRecord<K, V>,
    /** The metadata, when the broker acknowledged the record; `null` when it failed. */
    public val metadata: RecordMetadata?,
    /** Kafka's exception, when the record failed; `null` when it was acknowledged. */
    public val exception: Exception?,
) {
    /** Whether the record was acknowledged. */
    public val isSuccess: Boolean get() = exception == null

    /**
     * Returns the metadata of an acknowledged record.
     *
     * @throws Exception the record's failure.
     */
    public fun getOrThrow(): RecordMetadata = metadata ?: throw exception!!

    override fun toString(): String =
        if (exception == null) {
            "SendResult(success, ${metadata?.topic()}-${metadata?.partition()}@${metadata?.offset()})"
        } else {
            "SendResult(failure, topic ${record.topic()}: $exception)"
        }
}
