package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.SendErrorHandler
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.cancel
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.future.future
import kotlinx.coroutines.launch
import kotlinx.coroutines.runInterruptible
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.errors.InterruptException
import org.apache.kafka.common.errors.TimeoutException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.Future
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.coroutineContext
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlin.time.Duration
import kotlin.time.TimeSource
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * The [KProducer] over a Kafka [Producer]. See [KProducer] for the contract and [TopicLanes] for how
 * a send avoids blocking the caller's thread.
 */
internal class DefaultKProducer<K, V>(
    override val producer: Producer<K, V>,
    private val errorHandler: SendErrorHandler<K, V>,
    private val closeTimeout: Duration,
    /** For error messages; unknown for a wrapped producer. */
    private val bootstrapServers: String?,
    tuning: LaneTuning,
) : KProducer<K, V> {
    private val closed = AtomicBoolean(false)
    private val lanes = TopicLanes(producer, tuning)

    /** Runs the sends that had to wait (of [offer] and [sendAsync]) and the error handlers. */
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO + CoroutineName("kproducer"))

    override val isClosed: Boolean get() = closed.get()

    override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata {
        checkOpen()
        val interceptor = coroutineContext[ContinuationInterceptor]
        if (interceptor !is CoroutineDispatcher || !interceptor.isDispatchNeeded(coroutineContext)) {
            // An unconfined caller would continue on Kafka's I/O thread; give it a real dispatcher.
            return withContext(Dispatchers.Default) { send(record) }
        }
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane)) {
            return suspendCancellableCoroutine { continuation -> producer.send(record, ResumingCallback(continuation)) }
        }
        val result = CompletableFuture<RecordMetadata>()
        handOverInLane(record, lane, CompletingCallback(result, null))
        return result.awaitResult()
    }

    override fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        checkOpen()
        val result = CompletableFuture<RecordMetadata>()
        val callback = CompletingCallback(result, completions)
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane)) {
            try {
                producer.send(record, callback)
            } catch (e: Exception) {
                result.completeExceptionally(e)
            }
        } else {
            launchInLane(record, lane, callback) { result.completeExceptionally(it) }
        }
        return result
    }

    override fun offer(record: ProducerRecord<K, V>) {
        checkOpen()
        val callback = ReportingCallback(record)
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane)) {
            try {
                producer.send(record, callback)
            } catch (e: Exception) {
                report(record, e)
            }
        } else {
            launchInLane(record, lane, callback) { report(record, it) }
        }
    }

    override suspend fun flush() {
        checkOpen()
        // Records still waiting in a lane were handed to us before this call: let them reach Kafka first.
        for (lane in lanes.busyLanes()) withContext(lane.dispatcher) { }
        withContext(Dispatchers.IO) { runInterruptible { producer.flush() } }
    }

    override fun flushAsync(): CompletableFuture<Void?> {
        checkOpen()
        return scope.future {
            flush()
            null
        }
    }

    override fun close(timeout: Duration) {
        require(!timeout.isNegative()) { "close timeout must not be negative, was $timeout" }
        if (!closed.compareAndSet(false, true)) return
        val started = TimeSource.Monotonic.markNow()
        try {
            // Records queued in lanes were accepted before close: hand them over while time remains.
            if (!Thread.currentThread().name.startsWith(KAFKA_IO_THREAD)) lanes.awaitQueued(timeout.inWholeMilliseconds)
            val remaining = (timeout - started.elapsedNow()).coerceAtLeast(Duration.ZERO)
            producer.close(remaining.toJavaDuration())
        } finally {
            scope.cancel()
        }
    }

    override fun close(timeout: java.time.Duration) {
        close(timeout.toKotlinDuration())
    }

    override fun close() {
        close(closeTimeout)
    }

    private fun checkOpen() {
        check(!closed.get()) { "This KProducer is closed; create a new one to send again" }
    }

    /** Hands [record] to Kafka on its topic's lane, where `send` may block; suspends until it has it. */
    private suspend fun handOverInLane(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
        callback: Callback,
    ) {
        lane.pending.incrementAndGet()
        try {
            withContext(lane.dispatcher) { blockingSend(record, lane, callback) }
        } finally {
            lane.pending.decrementAndGet()
        }
    }

    /** Like [handOverInLane] for callers that do not wait: the hand-over runs in [scope], in order. */
    private fun launchInLane(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
        callback: Callback,
        onFailure: (Exception) -> Unit,
    ) {
        lane.pending.incrementAndGet()
        scope.launch(lane.dispatcher, start = CoroutineStart.DEFAULT) {
            try {
                blockingSend(record, lane, callback)
            } catch (e: Exception) {
                onFailure(e)
            } finally {
                lane.pending.decrementAndGet()
            }
        }
    }

    private suspend fun blockingSend(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
        callback: Callback,
    ) {
        val future: Future<RecordMetadata> =
            try {
                runInterruptible { producer.send(record, callback) }
            } catch (e: InterruptException) {
                coroutineContext.ensureActive()
                throw e
            }
        // A send that came back without a metadata failure proves the topic's partitions are known.
        if (!future.isDone || runCatching { future.get() }.isSuccess) lanes.markReady(lane)
    }

    private fun report(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        // Never on Kafka's I/O thread: the handler may block or send again.
        scope.launch(Dispatchers.Default) {
            try {
                errorHandler.onError(record, exception)
            } catch (e: Exception) {
                log.error("The onError handler of a KProducer threw while handling a failure of topic {}", record.topic(), e)
            }
        }
    }

    /** Adds the bootstrap servers to Kafka's "not present in metadata" timeout, keeping its type. */
    private fun explained(exception: Exception): Exception {
        if (exception !is TimeoutException || bootstrapServers == null) return exception
        val message = exception.message ?: return exception
        if (!message.contains("not present in metadata")) return exception
        return TimeoutException(
            "$message Bootstrap servers: $bootstrapServers. The brokers may be unreachable, or the topic may not exist " +
                "while automatic topic creation is off.",
            exception,
        )
    }

    /** Resumes a suspended [send]; branches on the exception, never on the metadata. */
    private inner class ResumingCallback(
        private val continuation: CancellableContinuation<RecordMetadata>,
    ) : Callback {
        override fun onCompletion(
            metadata: RecordMetadata?,
            exception: Exception?,
        ) {
            when {
                exception != null -> continuation.resumeWithException(explained(exception))
                metadata != null -> continuation.resume(metadata)
                else -> continuation.resumeWithException(IllegalStateException(NEITHER))
            }
        }
    }

    /**
     * Completes a future: on [executor] when one is given (the future's dependent stages are user
     * code), or on Kafka's I/O thread when the only dependent resumes a coroutine.
     */
    private inner class CompletingCallback(
        private val result: CompletableFuture<RecordMetadata>,
        private val executor: Executor?,
    ) : Callback {
        override fun onCompletion(
            metadata: RecordMetadata?,
            exception: Exception?,
        ) {
            if (executor == null) complete(metadata, exception) else executor.execute { complete(metadata, exception) }
        }

        private fun complete(
            metadata: RecordMetadata?,
            exception: Exception?,
        ) {
            when {
                exception != null -> result.completeExceptionally(explained(exception))
                metadata != null -> result.complete(metadata)
                else -> result.completeExceptionally(IllegalStateException(NEITHER))
            }
        }
    }

    private inner class ReportingCallback(
        private val record: ProducerRecord<K, V>,
    ) : Callback {
        override fun onCompletion(
            metadata: RecordMetadata?,
            exception: Exception?,
        ) {
            if (exception != null) report(record, explained(exception))
        }
    }

    private companion object {
        val log = LoggerFactory.getLogger(KProducer::class.java)!!
        const val KAFKA_IO_THREAD = "kafka-producer-network-thread"
        const val NEITHER = "The producer completed a send with neither metadata nor an exception"

        /** Where `sendAsync` futures complete, so that dependent stages never run on Kafka's I/O thread. */
        val completions: Executor = Dispatchers.Default.asExecutor()
    }
}

/** Suspends until this future completes, resuming on the caller's dispatcher; cancelling stops the waiting only. */
private suspend fun <T> CompletableFuture<T>.awaitResult(): T =
    suspendCancellableCoroutine { continuation ->
        whenComplete { value, error ->
            if (error != null) continuation.resumeWithException(error) else continuation.resume(value)
        }
    }
