package io.github.kproducer.dsl.internal.lifecycle

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.internal.send.SendPipeline
import io.github.kproducer.dsl.internal.send.SendWatchdog
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.common.KafkaException
import org.slf4j.LoggerFactory
import kotlin.time.Duration
import kotlin.time.TimeSource

/**
 * The close sequence of one producer: records still queued in lanes get to Kafka while time remains
 * and fail after, Kafka's producer closes, and every outcome is delivered; then the Java forms of the
 * suspending calls still running are awaited, briefly, and cancelled if they do not end. It runs
 * once, for whichever comes first: `close`, or a fatal error ([closeAfterFatal]).
 */
internal class ProducerClosing(
    private val state: ProducerState,
    private val pipeline: SendPipeline<*, *>,
    private val producer: Producer<*, *>,
    private val javaCalls: JavaCalls,
) {
    /**
     * Closes within [timeout] (plus a grace for the deliveries Kafka's own close started). With
     * [awaitJavaCalls], also waits for the Java forms to complete their futures; not when the closing
     * call may be one of them. On Kafka's I/O thread (a callback closing the producer) nothing is
     * awaited that only that thread could complete.
     */
    fun close(
        timeout: Duration,
        awaitJavaCalls: Boolean,
    ) {
        if (!state.close()) return
        val started = TimeSource.Monotonic.markNow()

        fun remainingMs() = (timeout - started.elapsedNow()).inWholeMilliseconds.coerceAtLeast(0)
        val waits = !Thread.currentThread().name.startsWith(KAFKA_IO_THREAD)
        try {
            // Records queued in lanes were accepted before close: hand them over while time remains; the rest fail.
            if (waits) pipeline.awaitQueuedBlocking(remainingMs())
            pipeline.failQueued(KafkaException(CLOSED_BEFORE_KAFKA))
            producer.close(java.time.Duration.ofMillis(remainingMs()))
            if (waits) {
                // Kafka's close woke every lane waiting in it; each fails what it holds now.
                if (!pipeline.awaitQueuedBlocking(maxOf(remainingMs(), GRACE_MS))) {
                    log.warn("kproducer: a lane was still handing over a record when close returned")
                }
                if (!pipeline.awaitDeliveredBlocking(maxOf(remainingMs(), GRACE_MS))) {
                    log.warn("kproducer: close returns while outcomes are still being delivered (a future stage, onError handler or listener is slow)")
                }
                if (awaitJavaCalls && !javaCalls.awaitRunning(maxOf(remainingMs(), GRACE_MS))) {
                    // A transactionAsync whose block's future never completes would run forever: it is aborted and its future cancelled.
                    javaCalls.cancelRunning(CLOSED_WHILE_RUNNING)
                    if (!javaCalls.awaitRunning(GRACE_MS)) {
                        log.warn("kproducer: close returns while a sendAllAsync, flushAsync or transactionAsync call is still running")
                    }
                }
            }
        } finally {
            SendWatchdog.release()
        }
    }

    /**
     * Closes at once after [cause], which leaves the producer unusable; later calls name it. Joins
     * Kafka's I/O thread, so it runs on `Dispatchers.IO`, not cancellable, and never waits for the Java
     * forms: the caller may be the coroutine of a `transactionAsync`.
     */
    suspend fun closeAfterFatal(cause: Throwable) {
        if (state.isClosed) return
        state.fatal(cause)
        log.error("Closing the KProducer after a fatal error; create a new producer to go on: {}", cause.toString())
        withContext(Dispatchers.IO + NonCancellable) { close(Duration.ZERO, awaitJavaCalls = false) }
    }

    private companion object {
        val log = LoggerFactory.getLogger(KProducer::class.java)!!
        const val KAFKA_IO_THREAD = "kafka-producer-network-thread"

        /** How long close waits at least for lanes and deliveries after Kafka's close, even for `close(ZERO)`. */
        const val GRACE_MS = 2_000L
        const val CLOSED_WHILE_RUNNING =
            "The KProducer was closed while this call was still running (a transactionAsync block's future that never " +
                "completed?); it was cancelled, and an open transaction aborted"
        const val CLOSED_BEFORE_KAFKA =
            "The KProducer was closed before this record could be handed to Kafka (it was waiting for the topic's metadata or " +
                "for buffer memory); it was not sent. Close with a longer timeout to let such records through."
    }
}
