@file:JvmName("SendListeners")

package io.github.kproducer.dsl

import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/**
 * Listens to the outcome of every record a [KProducer] sends, whichever way it was sent. Both methods
 * default to doing nothing. They run on `Dispatchers.Default`, one call per record, one at a time in
 * the order the outcomes happened (in the queue of `sendAsync` futures and `onError` handlers, so
 * keep them short), never on the producer's I/O thread; an exception they throw is logged and dropped.
 */
public interface SendListener<K, V> {
    /** Called when [record] was acknowledged with [metadata]. */
    public fun onSuccess(
        record: ProducerRecord<K, V>,
        metadata: RecordMetadata,
    ) {}

    /** Called when [record] failed with [exception] (Kafka's own exception type). */
    public fun onError(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {}
}

/** Creates a [SendListener] from two lambdas, either of which may be left out. */
@JvmSynthetic
public fun <K, V> SendListener(
    onSuccess: (record: ProducerRecord<K, V>, metadata: RecordMetadata) -> Unit = { _, _ -> },
    onError: (record: ProducerRecord<K, V>, exception: Exception) -> Unit = { _, _ -> },
): SendListener<K, V> =
    object : SendListener<K, V> {
        override fun onSuccess(
            record: ProducerRecord<K, V>,
            metadata: RecordMetadata,
        ) = onSuccess(record, metadata)

        override fun onError(
            record: ProducerRecord<K, V>,
            exception: Exception,
        ) = onError(record, exception)
    }
