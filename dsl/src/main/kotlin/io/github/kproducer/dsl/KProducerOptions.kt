package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.LoggingErrorHandler
import io.github.kproducer.dsl.internal.ProducerBehaviour
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

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

/**
 * Told of the outcome of every record a [KProducer] sends, whichever way it was sent. Both methods
 * default to doing nothing. They run on `Dispatchers.Default`, one call per record, one at a time in
 * the order the outcomes happened (in the queue of `sendAsync` futures and `onError` handlers, so
 * keep them short), never on the producer's I/O thread; an exception they throw is logged and dropped.
 */
public interface SendListener<K, V> {
    /** [record] was acknowledged with [metadata]. */
    public fun onSuccess(
        record: ProducerRecord<K, V>,
        metadata: RecordMetadata,
    ) {}

    /** [record] failed with [exception]. */
    public fun onError(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {}
}

/** Creates a [SendListener] from two lambdas, either of which may be left out. */
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

/**
 * How a [KProducer] behaves around the Kafka client: where fire-and-forget failures go, who hears of
 * every outcome, how many records a batch keeps in flight, and how long `close()` waits. These
 * options apply both to producers built by [kafkaProducer] and to existing producers wrapped with
 * [asKProducer] (or `KProducer.wrap(producer, options -> ...)` from Java).
 *
 * Not thread-safe: configure it on one thread.
 */
@KProducerDsl
public open class KProducerOptions<K, V> internal constructor() {
    internal var errorHandler: SendErrorHandler<K, V> = LoggingErrorHandler()
    internal val listeners = ArrayList<SendListener<K, V>>()

    /** How long `close()` without an argument waits for records in flight. Default 30 seconds. */
    public var closeTimeout: Duration = 30.seconds

    /**
     * How many records one `sendAll` call or one sending flow keeps handed over but not yet
     * acknowledged; beyond it the caller suspends until acknowledgements come back. Bytes in flight
     * are bounded by Kafka's `buffer.memory`, which never blocks the caller's thread either.
     * Default 10,000.
     */
    public var maxInFlightRecords: Int = 10_000

    /**
     * Whether a suspending send copies the entries of a [HeadersContext] in the caller's coroutine
     * context into the record's headers (a trace id, say). A header the record already has is kept.
     * Default `false`.
     */
    public var copyContextHeaders: Boolean = false

    /**
     * Sets where failures of [KProducer.offer] go; the default logs them at ERROR with the topic,
     * partition and cause, never the key or value.
     */
    public fun onError(handler: SendErrorHandler<K, V>) {
        errorHandler = handler
    }

    /**
     * Adds a listener told of every send's outcome, for logging, metrics and tracing. Listeners run
     * on `Dispatchers.Default`, never on Kafka's I/O thread; with none added, sends pay nothing.
     */
    public fun listener(listener: SendListener<K, V>) {
        listeners += listener
    }

    /** Java-friendly setter for [closeTimeout]. */
    public fun closeTimeout(timeout: java.time.Duration) {
        closeTimeout = timeout.toKotlinDuration()
    }

    internal fun optionProblems(): List<String> =
        buildList {
            if (closeTimeout.isNegative()) add("closeTimeout must not be negative, was $closeTimeout")
            if (maxInFlightRecords < 1) add("maxInFlightRecords must be at least 1, was $maxInFlightRecords")
        }

    internal fun behaviour(): ProducerBehaviour<K, V> =
        ProducerBehaviour(errorHandler, listeners.toList(), closeTimeout, maxInFlightRecords, copyContextHeaders)
}
