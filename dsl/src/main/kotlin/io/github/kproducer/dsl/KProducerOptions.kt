package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.LoggingErrorHandler
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * Receives the failure of a record sent with [KProducer.offer], where no caller waits for the result.
 *
 * It is called on a thread of `Dispatchers.Default`, never on the producer's I/O thread, so it may
 * block briefly or send again. An exception it throws is logged and dropped.
 */
public fun interface SendErrorHandler<K, V> {
    /** Handles the failure of [record] with [exception] (Kafka's own exception type). */
    public fun onError(
        record: ProducerRecord<K, V>,
        exception: Exception,
    )
}

/**
 * How a [KProducer] behaves around the Kafka client: where fire-and-forget failures go and how long
 * `close()` waits. These options apply both to producers built by [kafkaProducer] and to existing
 * producers wrapped with [asKProducer].
 *
 * Not thread-safe: configure it on one thread.
 */
@KProducerDsl
public open class KProducerOptions<K, V> internal constructor() {
    internal var errorHandler: SendErrorHandler<K, V> = LoggingErrorHandler()

    /** How long `close()` without an argument waits for records in flight. Default 30 seconds. */
    public var closeTimeout: Duration = 30.seconds

    /**
     * Sets where failures of [KProducer.offer] go; the default logs them at ERROR with the topic,
     * partition and cause, never the key or value.
     */
    public fun onError(handler: SendErrorHandler<K, V>) {
        errorHandler = handler
    }

    /** Java-friendly setter for [closeTimeout]. */
    public fun closeTimeout(timeout: java.time.Duration) {
        closeTimeout = timeout.toKotlinDuration()
    }

    internal fun optionProblems(): List<String> = if (closeTimeout.isNegative()) listOf("closeTimeout must not be negative, was $closeTimeout") else emptyList()
}
