package io.github.kproducer.dsl.internal.tracing

import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import kotlin.coroutines.CoroutineContext

/**
 * Traces sends; the DSL's core knows only this interface, so that a producer without tracing loads
 * no tracing library. [OpenTelemetrySendTracing] is the one implementation.
 */
internal fun interface SendTracing {
    /** The tracing of one producer, for what it needs to know about the client (its `client.id`). */
    fun forProducer(producer: Producer<*, *>): ProducerTracing

    companion object {
        /** [first] and [second] together (OpenTelemetry spans and Micrometer Observations), or whichever is set. */
        fun both(
            first: SendTracing?,
            second: SendTracing?,
        ): SendTracing? {
            if (first == null || second == null) return first ?: second
            return SendTracing { producer ->
                val a = first.forProducer(producer)
                val b = second.forProducer(producer)
                ProducerTracing { record, context -> BothSpans(a.start(record, context), b.start(record, context)) }
            }
        }
    }
}

/** Two spans of one record, ended together. */
private class BothSpans(
    private val first: SendSpan,
    private val second: SendSpan,
) : SendSpan {
    override fun end(
        metadata: RecordMetadata?,
        failure: Throwable?,
    ) {
        try {
            first.end(metadata, failure)
        } finally {
            second.end(metadata, failure)
        }
    }

    override fun withdrawn() {
        try {
            first.withdrawn()
        } finally {
            second.withdrawn()
        }
    }
}

/** Starts a span for each record of one producer. */
internal fun interface ProducerTracing {
    /**
     * Starts the span of [record], a child of the trace in the caller's [context] (or of the thread's
     * current one when [context] is null or carries none), and writes that span's trace headers into
     * the record. Called on the caller's thread before the record goes to Kafka.
     */
    fun start(
        record: ProducerRecord<*, *>,
        context: CoroutineContext?,
    ): SendSpan
}

/**
 * A [SendSpan] ended once, by whichever outcome comes first; an implementation says what each outcome
 * records ([succeeded], [failed], [cancelled]) and how the span ends ([finish]).
 */
internal abstract class OnceSendSpan : SendSpan {
    private val ended =
        java.util.concurrent.atomic
            .AtomicBoolean()

    final override fun end(
        metadata: RecordMetadata?,
        failure: Throwable?,
    ) {
        if (!ended.compareAndSet(false, true)) return
        if (failure == null && metadata != null) {
            succeeded(metadata)
        } else if (failure != null) {
            failed(failure)
        }
        finish()
    }

    final override fun withdrawn() {
        if (!ended.compareAndSet(false, true)) return
        cancelled(WITHDRAWN)
        finish()
    }

    /** Records the acknowledgement's [metadata]. */
    protected abstract fun succeeded(metadata: RecordMetadata)

    /** Records the send's [failure]. */
    protected abstract fun failed(failure: Throwable)

    /** Records that the caller took the record back before it reached Kafka; [description] says so. */
    protected abstract fun cancelled(description: String)

    /** Ends the span, after the outcome is recorded. */
    protected abstract fun finish()

    private companion object {
        const val WITHDRAWN = "The caller was cancelled before the record reached Kafka; it was not sent"
    }
}

/** The span of one record; ended once, by whichever outcome comes first. */
internal interface SendSpan {
    /** Ends the span with the record's [metadata], or with [failure] when the send failed. */
    fun end(
        metadata: RecordMetadata?,
        failure: Throwable?,
    )

    /** Ends the span of a record its cancelled caller took back before it reached Kafka. */
    fun withdrawn()
}
