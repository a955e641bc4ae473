package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import kotlin.properties.ReadWriteProperty
import kotlin.reflect.KProperty
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * Sets how a [KProducer] behaves around the Kafka client: where fire-and-forget failures go, who hears
 * of every outcome, how sends are traced, how many records a batch keeps in flight, and how long
 * `close()` waits. The same setters serve the Kotlin block ([KProducerOptions], [KProducerConfig]) and
 * the Java builder ([KProducerBuilder]); each returns [S], the type it was called on, for chaining.
 *
 * Not thread-safe: configure it on one thread.
 *
 * @param S the concrete options type, returned by every setter.
 */
public abstract class AbstractKProducerOptions<K, V, S : AbstractKProducerOptions<K, V, S>> internal constructor() {
    /** The values set so far; replaced, never changed, by each setter. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    internal abstract var behaviour: ProducerBehaviour<K, V>

    /** A Kotlin property over one field of [behaviour]: [read] gets it, [write] returns the values with it changed. */
    private fun <T> option(
        read: ProducerBehaviour<K, V>.() -> T,
        write: ProducerBehaviour<K, V>.(T) -> ProducerBehaviour<K, V>,
    ): ReadWriteProperty<Any?, T> =
        object : ReadWriteProperty<Any?, T> {
            override fun getValue(
                thisRef: Any?,
                property: KProperty<*>,
            ): T = behaviour.read()

            override fun setValue(
                thisRef: Any?,
                property: KProperty<*>,
                value: T,
            ) {
                behaviour = behaviour.write(value)
            }
        }

    @Suppress("UNCHECKED_CAST")
    private fun changed(change: ProducerBehaviour<K, V>.() -> ProducerBehaviour<K, V>): S {
        behaviour = behaviour.change()
        return this as S
    }

    /** How long `close()` without an argument waits for records in flight. Default 30 seconds. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var closeTimeout: Duration by option({ closeTimeout }) { copy(closeTimeout = it) }

    /** Sets [closeTimeout], how long `close()` without an argument waits; returns these options. */
    public fun closeTimeout(timeout: java.time.Duration): S = changed { copy(closeTimeout = timeout.toKotlinDuration()) }

    /**
     * How many records one `sendAll` call or one sending flow keeps handed over but not yet
     * acknowledged; beyond it the caller suspends until acknowledgements come back. Bytes are bounded
     * by Kafka's `buffer.memory`: once a record has to wait for room in Kafka's buffer, the call hands
     * over one record for each one acknowledged, as `KafkaProducer.send` would block, so records do
     * not pile up outside the buffer (each holding its value) up to this bound; the caller's thread
     * never blocks either way. Records that wait for a topic's metadata count against this bound.
     * Default 10,000.
     */
    @set:JvmSynthetic
    public var maxInFlightRecords: Int by option({ maxInFlightRecords }) { copy(maxInFlightRecords = it) }

    /** Sets [maxInFlightRecords], how many records a batch keeps in flight; returns these options. */
    public fun maxInFlightRecords(records: Int): S = changed { copy(maxInFlightRecords = records) }

    /**
     * Whether a send copies context headers into the record's headers (a trace id, say): a suspending
     * send the entries of the [HeadersContext] in the caller's coroutine context, the other sends
     * (`sendAsync`, `offer`, the Java forms) those of the [HeadersScope] open on the calling thread
     * ([HeadersContext.open]). A header the record already has is kept. Default `false`.
     */
    @set:JvmSynthetic
    public var copyContextHeaders: Boolean by option({ copyContextHeaders }) { copy(copyContextHeaders = it) }

    /** Sets [copyContextHeaders], whether sends copy context headers; returns these options. */
    public fun copyContextHeaders(enabled: Boolean): S = changed { copy(copyContextHeaders = enabled) }

    /**
     * Sets where failures of [KProducer.offer] go; the default logs them at ERROR with the topic,
     * partition and cause, never the key or value. Returns these options.
     */
    public fun onError(handler: SendErrorHandler<K, V>): S = changed { copy(errorHandler = handler) }

    /**
     * Adds a listener told of every send's outcome, for logging, metrics and tracing. Listeners run
     * on `Dispatchers.Default`, never on Kafka's I/O thread; with none added, sends pay nothing.
     * Returns these options.
     */
    public fun listener(listener: SendListener<K, V>): S = changed { copy(listeners = listeners + listener) }

    /**
     * Traces every send with [tracer]: `OpenTelemetryTracing.sendTracer(openTelemetry)` (a span per send,
     * see [io.github.kproducer.dsl.tracing]) or `MicrometerObservation.sendTracer(registry)` (an Observation
     * per send, see [io.github.kproducer.dsl.observation]). One of each kind may be set; a second of the same
     * kind replaces the first. Returns these options.
     */
    public fun tracing(tracer: SendTracer): S = changed { with(tracer) }
}
