package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.delivery.LoggingErrorHandler
import io.github.kproducer.dsl.internal.tracing.SendTracing
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

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

    /** Set by [tracing]; null sends untraced. */
    private var tracing: SendTracing? = null

    /** Set by [observation]; null sends unobserved. Runs beside [tracing]. */
    private var observation: SendTracing? = null

    /** Puts [tracer] in its slot, replacing an earlier tracer of its kind. */
    internal fun use(tracer: SendTracer) {
        when (tracer.kind) {
            SendTracer.Kind.OPEN_TELEMETRY -> tracing = tracer.tracing
            SendTracer.Kind.MICROMETER -> observation = tracer.tracing
        }
    }

    /** How long `close()` without an argument waits for records in flight. Default 30 seconds. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var closeTimeout: Duration = 30.seconds

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
    public var maxInFlightRecords: Int = 10_000

    /**
     * Whether a send copies context headers into the record's headers (a trace id, say): a suspending
     * send the entries of the [HeadersContext] in the caller's coroutine context, the other sends
     * (`sendAsync`, `offer`, the Java forms) those of the [HeadersScope] open on the calling thread
     * ([HeadersContext.open]). A header the record already has is kept. Default `false`.
     */
    @set:JvmSynthetic
    public var copyContextHeaders: Boolean = false

    /**
     * Sets where failures of [KProducer.offer] go; the default logs them at ERROR with the topic,
     * partition and cause, never the key or value. Returns these options.
     */
    public fun onError(handler: SendErrorHandler<K, V>): KProducerOptions<K, V> = apply { errorHandler = handler }

    /**
     * Adds a listener told of every send's outcome, for logging, metrics and tracing. Listeners run
     * on `Dispatchers.Default`, never on Kafka's I/O thread; with none added, sends pay nothing.
     * Returns these options.
     */
    public fun listener(listener: SendListener<K, V>): KProducerOptions<K, V> = apply { listeners += listener }

    /** Sets [closeTimeout] and returns these options (the Java form of `closeTimeout = ...`). */
    public fun closeTimeout(timeout: java.time.Duration): KProducerOptions<K, V> = apply { closeTimeout = timeout.toKotlinDuration() }

    /** Sets [maxInFlightRecords] and returns these options (the Java form of `maxInFlightRecords = ...`). */
    public fun maxInFlightRecords(records: Int): KProducerOptions<K, V> = apply { maxInFlightRecords = records }

    /** Sets [copyContextHeaders] and returns these options (the Java form of `copyContextHeaders = ...`). */
    public fun copyContextHeaders(enabled: Boolean): KProducerOptions<K, V> = apply { copyContextHeaders = enabled }

    internal fun optionProblems(wording: Wording = Wording.KOTLIN): List<String> =
        buildList {
            if (closeTimeout.isNegative()) add("${wording.setting("closeTimeout")} must not be negative, was ${wording.duration(closeTimeout)}")
            if (maxInFlightRecords < 1) add("${wording.setting("maxInFlightRecords")} must be at least 1, was $maxInFlightRecords")
        }

    internal fun behaviour(): ProducerBehaviour<K, V> =
        ProducerBehaviour(errorHandler, listeners.toList(), closeTimeout, maxInFlightRecords, copyContextHeaders, SendTracing.both(tracing, observation))
}
