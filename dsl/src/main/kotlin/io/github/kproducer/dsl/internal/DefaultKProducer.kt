package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.HeadersContext
import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KTransaction
import io.github.kproducer.dsl.ProducerMetrics
import io.github.kproducer.dsl.SendResult
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.future.future
import kotlinx.coroutines.launch
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TransactionAbortedException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.Future
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.LongAdder
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
 * a record reaches Kafka without blocking the caller's thread. Batches live in [Batches],
 * transactions in [Transactions].
 */
internal class DefaultKProducer<K, V>(
    override val producer: Producer<K, V>,
    val behaviour: ProducerBehaviour<K, V>,
    /** For error messages; unknown for a wrapped producer. */
    private val bootstrapServers: String?,
    tuning: LaneTuning,
    /** Sends outside `transaction { }` are refused: on a transactional producer they would join whatever transaction is open. */
    private val transactional: Boolean,
) : KProducer<K, V> {
    private val closed = AtomicBoolean(false)

    @Volatile private var fatalCause: Throwable? = null
    private val lanes = TopicLanes(producer, tuning)
    private val acknowledgedCount = LongAdder()
    private val failedCount = LongAdder()
    private val handedOver = LongAdder()
    private val batches = Batches(this)
    private val transactions = Transactions(this)

    /** Runs the sends that had to wait (of [offer] and [sendAsync]), error handlers and listeners. */
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO + CoroutineName("kproducer"))

    override val isClosed: Boolean get() = closed.get()

    // ---- single records ----

    override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata {
        checkOutsideTransaction()
        return sendRecord(record)
    }

    /** [send] without the transactional check, for [Transactions] and [Batches]. */
    suspend fun sendRecord(record: ProducerRecord<K, V>): RecordMetadata {
        checkOpen()
        val interceptor = coroutineContext[ContinuationInterceptor]
        if (interceptor !is CoroutineDispatcher || !interceptor.isDispatchNeeded(coroutineContext)) {
            // An unconfined caller would continue on Kafka's I/O thread; give it a real dispatcher.
            return withContext(Dispatchers.Default) { sendRecord(record) }
        }
        addContextHeaders(record)
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane)) {
            return suspendCancellableCoroutine { continuation -> sendDirect(record, ResumingCallback(record, continuation)) }
        }
        val result = CompletableFuture<RecordMetadata>()
        handOverInLane(record, lane, CompletingCallback(record, result, null))
        return result.awaitResult()
    }

    override fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        checkOutsideTransaction()
        return sendRecordAsync(record)
    }

    fun sendRecordAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        val result = CompletableFuture<RecordMetadata>()
        handOverNow(record, CompletingCallback(record, result, completions)) { result.completeExceptionally(it) }
        return result
    }

    override fun offer(record: ProducerRecord<K, V>) {
        checkOutsideTransaction()
        offerRecord(record)
    }

    /**
     * [offer] without the transactional check. Inside a transaction ([inTransaction]) a record that
     * fails because the transaction was aborted is not reported: the transaction's caller has the cause.
     */
    fun offerRecord(
        record: ProducerRecord<K, V>,
        inTransaction: Boolean = false,
    ) {
        handOverNow(record, ReportingCallback(record, inTransaction)) { report(record, it) }
    }

    /**
     * Hands [record] to Kafka and suspends only until Kafka has it (not until it is acknowledged);
     * [callback] then reports the outcome. Direct on the caller's thread when that cannot block.
     */
    suspend fun handOver(
        record: ProducerRecord<K, V>,
        callback: TrackedCallback,
    ) {
        checkOpen()
        addContextHeaders(record)
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane)) sendDirect(record, callback) else handOverInLane(record, lane, callback)
    }

    /** Like [handOver] for callers that cannot suspend: a record that must wait goes to its lane in [scope], in order. */
    private fun handOverNow(
        record: ProducerRecord<K, V>,
        callback: TrackedCallback,
        onFailure: (Exception) -> Unit,
    ) {
        checkOpen()
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane)) {
            try {
                sendDirect(record, callback)
            } catch (e: Exception) {
                onFailure(e)
            }
            return
        }
        lane.pending.incrementAndGet()
        scope.launch(lane.dispatcher) {
            try {
                blockingSend(record, lane, callback)
            } catch (e: Exception) {
                onFailure(e)
            } finally {
                lane.pending.decrementAndGet()
            }
        }
    }

    private fun sendDirect(
        record: ProducerRecord<K, V>,
        callback: TrackedCallback,
    ) {
        handedOver.increment()
        try {
            producer.send(record, callback)
        } catch (e: Exception) {
            handedOver.decrement()
            throw e
        }
    }

    private suspend fun handOverInLane(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
        callback: TrackedCallback,
    ) {
        lane.pending.incrementAndGet()
        try {
            withContext(lane.dispatcher) { blockingSend(record, lane, callback) }
        } finally {
            lane.pending.decrementAndGet()
        }
    }

    private suspend fun blockingSend(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
        callback: TrackedCallback,
    ) {
        handedOver.increment()
        val future: Future<RecordMetadata> =
            try {
                interruptible { producer.send(record, callback) }
            } catch (e: Exception) {
                handedOver.decrement()
                throw e
            }
        // A send that came back without a metadata failure proves the topic's partitions are known.
        if (!future.isDone || runCatching { future.get() }.isSuccess) lanes.markReady(lane)
    }

    private suspend fun addContextHeaders(record: ProducerRecord<K, V>) {
        if (!behaviour.copyContextHeaders) return
        val context = coroutineContext[HeadersContext] ?: return
        val headers = record.headers()
        for ((name, value) in context.entries) {
            if (headers.lastHeader(name) == null) headers.add(name, value.toByteArray(Charsets.UTF_8))
        }
    }

    // ---- batches and transactions ----

    override suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        checkOutsideTransaction()
        return batches.sendAll(records)
    }

    /** [sendAll] without the transactional check, for [Transactions]. */
    suspend fun sendAllRecords(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> = batches.sendAll(records)

    override suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>> {
        checkOutsideTransaction()
        return batches.sendAllSettled(records)
    }

    override fun sendAll(records: Flow<ProducerRecord<K, V>>): Flow<RecordMetadata> = batches.flow(records, ::checkOutsideTransaction)

    override fun sendAllSettled(records: Flow<ProducerRecord<K, V>>): Flow<SendResult<K, V>> = batches.settledFlow(records, ::checkOutsideTransaction)

    override fun sendAllAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<RecordMetadata>> {
        checkOpen()
        return scope.future { sendAll(records) }
    }

    override fun sendAllSettledAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<SendResult<K, V>>> {
        checkOpen()
        return scope.future { sendAllSettled(records) }
    }

    override suspend fun <T> transaction(block: suspend KTransaction<K, V>.() -> T): T = transactions.run(block)

    override fun <T> transactionAsync(block: java.util.function.Function<KTransaction<K, V>, CompletableFuture<T>>): CompletableFuture<T> {
        checkOpen()
        return scope.future { transaction { block.apply(this).await() } }
    }

    // ---- flush, close, metrics ----

    override suspend fun flush() {
        checkOpen()
        awaitLanes()
        withContext(Dispatchers.IO) { interruptible { producer.flush() } }
    }

    /** Suspends until every record queued in a lane before this call has reached Kafka. */
    suspend fun awaitLanes() {
        for (lane in lanes.busyLanes()) withContext(lane.dispatcher) { }
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
        close(behaviour.closeTimeout)
    }

    /** Closes at once after [cause], which leaves the producer unusable; later calls name it. */
    fun closeAfterFatal(cause: Throwable) {
        if (closed.get()) return
        fatalCause = cause
        log.error("Closing the KProducer after a fatal error; create a new producer to go on: {}", cause.toString())
        close(Duration.ZERO)
    }

    override fun metrics(): ProducerMetrics {
        val acknowledged = acknowledgedCount.sum()
        val failed = failedCount.sum()
        val kafka = runCatching { producer.metrics() }.getOrDefault(emptyMap())
        val byName = kafka.entries.filter { it.key.group() == "producer-metrics" }.associate { it.key.name() to it.value }

        fun value(name: String): Double? = (byName[name]?.metricValue() as? Number)?.toDouble()
        return ProducerMetrics(
            acknowledged = acknowledged,
            failed = failed,
            inFlight = (handedOver.sum() - acknowledged - failed).coerceAtLeast(0),
            recordSendRate = value("record-send-rate"),
            recordErrorRate = value("record-error-rate"),
            recordRetryRate = value("record-retry-rate"),
            requestLatencyAvgMs = value("request-latency-avg"),
            requestLatencyMaxMs = value("request-latency-max"),
            batchSizeAvg = value("batch-size-avg"),
            compressionRateAvg = value("compression-rate-avg"),
            bufferAvailableBytes = value("buffer-available-bytes"),
            requestsInFlight = value("requests-in-flight"),
        )
    }

    fun checkOpen() {
        if (closed.get()) {
            val cause = fatalCause
            if (cause != null) throw IllegalStateException("This KProducer was closed after a fatal error ($cause); create a new one", cause)
            throw IllegalStateException("This KProducer is closed; create a new one to send again")
        }
    }

    private fun checkOutsideTransaction() {
        check(!transactional) {
            "This producer is transactional (transactionalId is set): send inside producer.transaction { ... }, " +
                "or build a producer without transactionalId for sends outside transactions"
        }
    }

    private fun report(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        // Never on Kafka's I/O thread: the handler may block or send again.
        scope.launch(Dispatchers.Default) {
            try {
                behaviour.errorHandler.onError(record, exception)
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

    // ---- callbacks: every one counts the outcome and tells the listeners, then does its own job ----

    /**
     * The base of every callback this producer hands to Kafka. It branches on the exception, never
     * on the metadata (on failure Kafka passes metadata with -1 fields), and does nothing on Kafka's
     * I/O thread but count, resume or complete: listeners run on `Dispatchers.Default`.
     */
    abstract inner class TrackedCallback(
        private val record: ProducerRecord<K, V>,
    ) : Callback {
        final override fun onCompletion(
            metadata: RecordMetadata?,
            exception: Exception?,
        ) {
            val failure =
                if (exception != null) {
                    explained(exception)
                } else if (metadata == null) {
                    IllegalStateException(NEITHER)
                } else {
                    null
                }
            if (failure == null) acknowledgedCount.increment() else failedCount.increment()
            if (behaviour.listeners.isNotEmpty()) notifyListeners(record, metadata, failure)
            if (failure == null) succeeded(metadata!!) else failed(failure)
        }

        protected abstract fun succeeded(metadata: RecordMetadata)

        protected abstract fun failed(exception: Exception)
    }

    private fun notifyListeners(
        record: ProducerRecord<K, V>,
        metadata: RecordMetadata?,
        failure: Exception?,
    ) {
        completions.execute {
            for (listener in behaviour.listeners) {
                try {
                    if (failure == null) listener.onSuccess(record, metadata!!) else listener.onError(record, failure)
                } catch (e: Exception) {
                    log.error("A SendListener threw for a record of topic {}", record.topic(), e)
                }
            }
        }
    }

    /** Resumes a suspended [send]. */
    private inner class ResumingCallback(
        record: ProducerRecord<K, V>,
        private val continuation: CancellableContinuation<RecordMetadata>,
    ) : TrackedCallback(record) {
        override fun succeeded(metadata: RecordMetadata) = continuation.resume(metadata)

        override fun failed(exception: Exception) = continuation.resumeWithException(exception)
    }

    /**
     * Completes a future: on [executor] when one is given (the future's dependent stages are user
     * code), or on Kafka's I/O thread when the only dependent resumes a coroutine.
     */
    private inner class CompletingCallback(
        record: ProducerRecord<K, V>,
        private val result: CompletableFuture<RecordMetadata>,
        private val executor: Executor?,
    ) : TrackedCallback(record) {
        override fun succeeded(metadata: RecordMetadata) {
            if (executor == null) result.complete(metadata) else executor.execute { result.complete(metadata) }
        }

        override fun failed(exception: Exception) {
            if (executor == null) result.completeExceptionally(exception) else executor.execute { result.completeExceptionally(exception) }
        }
    }

    /** A callback that passes the outcome to [onResult]: metadata, or the exception. */
    fun callback(
        record: ProducerRecord<K, V>,
        onResult: (RecordMetadata?, Exception?) -> Unit,
    ): TrackedCallback = LambdaCallback(record, onResult)

    private inner class LambdaCallback(
        record: ProducerRecord<K, V>,
        private val onResult: (RecordMetadata?, Exception?) -> Unit,
    ) : TrackedCallback(record) {
        override fun succeeded(metadata: RecordMetadata) = onResult(metadata, null)

        override fun failed(exception: Exception) = onResult(null, exception)
    }

    /** Sends the failure of an [offer] to the error handler. */
    private inner class ReportingCallback(
        private val record: ProducerRecord<K, V>,
        private val inTransaction: Boolean,
    ) : TrackedCallback(record) {
        override fun succeeded(metadata: RecordMetadata) = Unit

        override fun failed(exception: Exception) {
            if (inTransaction && exception is TransactionAbortedException) return
            report(record, exception)
        }
    }

    companion object {
        private val log = LoggerFactory.getLogger(KProducer::class.java)!!
        private const val KAFKA_IO_THREAD = "kafka-producer-network-thread"
        private const val NEITHER = "The producer completed a send with neither metadata nor an exception"

        /** Where `sendAsync` futures complete and listeners run, so that user code never runs on Kafka's I/O thread. */
        private val completions: Executor = Dispatchers.Default.asExecutor()
    }
}

/** Suspends until this future completes, resuming on the caller's dispatcher; cancelling stops the waiting only. */
internal suspend fun <T> CompletableFuture<T>.awaitResult(): T =
    suspendCancellableCoroutine { continuation ->
        whenComplete { value, error ->
            if (error != null) continuation.resumeWithException(error) else continuation.resume(value)
        }
    }
