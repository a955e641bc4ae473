@file:JvmName("Interceptors")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.LambdaInterceptor
import io.github.kproducer.dsl.internal.config.LambdaPartitioner
import org.apache.kafka.clients.producer.Partitioner
import org.apache.kafka.clients.producer.ProducerInterceptor
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/**
 * Chooses the partition of a record that has none, as a Kotlin lambda:
 * `partitioner { topic, key, value, partitionCount -> ... }` in [KProducerConfig].
 *
 * Called on the thread that sends (inside `Producer.send`); must be fast and must not block.
 */
public fun interface RecordPartitioner<K, V> {
    /** Returns the partition of a record of [topic] with [key] and [value], in `0 until partitionCount`. */
    public fun partition(
        topic: String,
        key: K?,
        value: V?,
        partitionCount: Int,
    ): Int
}

/**
 * Sees (and may replace) every record before it is serialized and partitioned, as Kafka's
 * `ProducerInterceptor.onSend`: add a header, stamp a field. Runs on the sending thread. An
 * exception it throws is logged by Kafka and the record goes on unchanged.
 */
public fun interface SendInterceptor<K, V> {
    /** Returns the record to send: [record] itself, changed, or a new one. */
    public fun onSend(record: ProducerRecord<K, V>): ProducerRecord<K, V>
}

/**
 * Sees the outcome of every record, as Kafka's `ProducerInterceptor.onAcknowledgement`: read-only,
 * and called on the producer's I/O thread, so it must be fast and must never block or send. For
 * slower work use a [SendListener], which runs elsewhere.
 */
public fun interface AcknowledgementInterceptor {
    /** [exception] is `null` on success; on failure [metadata] may carry `-1` fields. */
    public fun onAcknowledgement(
        metadata: RecordMetadata?,
        exception: Exception?,
    )
}

/**
 * This partitioner as a Kafka [Partitioner] instance, for producers that take one directly, such as
 * the test kit's `MockKafkaProducer { partitioner = ... }` or Kafka's `MockProducer`.
 */
public fun <K, V> RecordPartitioner<K, V>.asKafkaPartitioner(): Partitioner = LambdaPartitioner(this)

/**
 * A Kafka [ProducerInterceptor] instance made of lambdas, for producers that take interceptor
 * instances directly, such as the test kit's `MockKafkaProducer { interceptors += ... }`.
 */
public fun <K, V> kafkaInterceptor(
    onSend: SendInterceptor<K, V>? = null,
    onAcknowledgement: AcknowledgementInterceptor? = null,
): ProducerInterceptor<K, V> = LambdaInterceptor(listOfNotNull(onSend), listOfNotNull(onAcknowledgement))
