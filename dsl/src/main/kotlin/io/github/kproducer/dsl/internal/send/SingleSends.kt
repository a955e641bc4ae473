package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.internal.lifecycle.ProducerState
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.coroutineContext

/**
 * The three ways to send one record: suspending ([send]), with a future ([sendAsync]), and fire and
 * forget ([offer]). Each checks that the producer is open, wraps the record in the [InFlightRecord]
 * that completes its caller, and submits it to the [pipeline]. Whether the call is allowed outside a
 * transaction is the caller's check: the facade makes it, a transaction's scope does not need it.
 *
 * The hot path is [send] with the topic's metadata known: one `Producer.send` on the caller's thread
 * with one callback object that resumes the caller. Its suspend calls are in tail position, so it
 * allocates no state machine.
 */
internal class SingleSends<K, V>(
    private val pipeline: SendPipeline<K, V>,
    private val state: ProducerState,
) {
    /**
     * Sends [record] and suspends until Kafka acknowledges it. Cancelled while the record still waits in
     * its lane, the record is withdrawn and not sent; once Kafka has it, cancelling stops the waiting only.
     */
    suspend fun send(record: ProducerRecord<K, V>): RecordMetadata {
        state.checkOpen()
        val context = coroutineContext
        if (context[ContinuationInterceptor] !== Dispatchers.Default && context.isUnconfined()) {
            // An unconfined caller would continue on Kafka's I/O thread; give it a real dispatcher.
            return withContext(Dispatchers.Default) { send(record) }
        }
        return suspendCancellableCoroutine { continuation ->
            val inFlight = ResumingRecord(record, pipeline, continuation)
            inFlight.sendingThread = Thread.currentThread()
            try {
                if (!pipeline.submit(record, inFlight, context)) {
                    continuation.invokeOnCancellation { pipeline.withdraw(inFlight) }
                }
            } finally {
                inFlight.sendingThread = null
            }
        }
    }

    /**
     * Sends [record] and returns the future of its metadata, completed in Kafka's callback order off the
     * I/O thread. A failure of `Producer.send` itself fails the future; cancelling the future while the
     * record waits in its lane withdraws it, as with [send].
     */
    fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        state.checkOpen()
        val result = CompletableFuture<RecordMetadata>()
        val inFlight = FutureRecord(record, pipeline, result)
        try {
            if (!pipeline.submit(record, inFlight, null)) {
                result.whenComplete { _, failure -> if (failure is CancellationException) pipeline.withdraw(inFlight) }
            }
        } catch (e: Exception) {
            result.completeExceptionally(e)
        }
        return result
    }

    /**
     * Sends [record] without waiting; a failure goes to the error handler. Inside a transaction
     * ([inTransaction]) a failure caused by the transaction's abort is not reported.
     */
    fun offer(
        record: ProducerRecord<K, V>,
        inTransaction: Boolean = false,
    ) {
        state.checkOpen()
        try {
            pipeline.submit(record, ReportingRecord(record, pipeline, inTransaction), null)
        } catch (e: Exception) {
            pipeline.report(record, e)
        }
    }
}

/** Whether resuming a coroutine of this context would run it on the resuming thread (unconfined, `suspend fun main`, `UnconfinedTestDispatcher`). */
internal fun CoroutineContext.isUnconfined(): Boolean {
    val interceptor = this[ContinuationInterceptor]
    return interceptor !is CoroutineDispatcher || !interceptor.isDispatchNeeded(this)
}
