package io.github.kproducer.dsl.internal.lifecycle

import java.util.concurrent.atomic.AtomicBoolean

/**
 * Whether a producer is open, and why it closed. Every call that would start work checks it first
 * ([checkOpen]); the close sequence ([ProducerClosing]) moves it to closed exactly once.
 */
internal class ProducerState {
    private val closed = AtomicBoolean(false)

    /** The error that made the producer unusable, when one did; later calls name it. */
    @Volatile private var fatalCause: Throwable? = null

    val isClosed: Boolean get() = closed.get()

    /**
     * Refuses a call on a closed producer.
     *
     * @throws IllegalStateException naming the fatal error, when one closed the producer.
     */
    fun checkOpen() {
        if (closed.get()) {
            val cause = fatalCause
            if (cause != null) throw IllegalStateException("This KProducer was closed after a fatal error ($cause); create a new one", cause)
            throw IllegalStateException("This KProducer is closed; create a new one to send again")
        }
    }

    /** Remembers [cause] as the reason later calls are refused; set before [close], so no call sees a closed state without it. */
    fun fatal(cause: Throwable) {
        fatalCause = cause
    }

    /** Moves to closed; `true` for the one caller that did, which then runs the close sequence. */
    fun close(): Boolean = closed.compareAndSet(false, true)
}
