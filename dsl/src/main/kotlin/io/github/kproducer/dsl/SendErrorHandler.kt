package io.github.kproducer.dsl

import org.apache.kafka.clients.producer.ProducerRecord

/**
 * Receives the failure of a record sent with [KProducer.offer], where no caller waits for the result.
 *
 * It is called on a thread of `Dispatchers.Default`, never on the producer's I/O thread, so it may
 * send again. Calls come one at a time, in the order the failures happened, in the same queue that
 * completes `sendAsync` futures: a handler that blocks delays them, so keep it short. Every failure of
 * a record accepted before `close` reaches it before `close` returns. An exception it throws is
 * logged and dropped.
 */
public fun interface SendErrorHandler<K, V> {
    /** Handles the failure of [record] with [exception] (Kafka's own exception type). */
    public fun onError(
        record: ProducerRecord<K, V>,
        exception: Exception,
    )
}
