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
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.future.future
import kotlinx.coroutines.launch
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.errors.TransactionAbortedException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.Future
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
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
 *
 * The hot path is `send` with the topic's metadata known: one `Producer.send` on the caller's thread
 * with one callback object that resumes the caller. Its suspend functions make suspend calls only in
 * tail position, so none of them allocates a state machine.
 */
internal class DefaultKProducer<K, V>(
    override val producer: Producer<K, V>,
    val behaviour: ProducerBehaviour<K, V>,
    private val bootstrapServers: String?,
    tuning: LaneTuning,
    /** Sends outside `transaction { }` are refused: on a transactional producer they would join whatever transaction is open. */
    private val transactional: Boolean,
) : KProducer<K, V> {
    private val closed = AtomicBoolean(false)

    @Volatile private var fatalCause: Throwable? = null
    private val lanes = TopicLanes(producer, tuning)
    val tracker = SendTracker(behaviour, bootstrapServers)
    private val resumes = ResumeQueue()
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

    /** [send] without the transactional check, for [Transactions]. */
    suspend fun sendRecord(record: ProducerRecord<K, V>): RecordMetadata {
        checkOpen()
        val context = coroutineContext
        val interceptor = context[ContinuationInterceptor]
        if (interceptor !is CoroutineDispatcher || !interceptor.isDispatchNeeded(context)) {
            // An unconfined caller would continue on Kafka's I/O thread; give it a real dispatcher.
            return withContext(Dispatchers.Default) { sendRecord(record) }
        }
        if (behaviour.copyContextHeaders) addContextHeaders(record, context)
        val lane = lanes.lane(record.topic())
        if (!lanes.isDirect(lane, record.partition())) return sendInLane(record, lane)
        return suspendCancellableCoroutine { continuation ->
            val callback = ResumingCallback(record, continuation)
            callback.sendingThread = Thread.currentThread()
            try {
                sendDirect(record, callback)
            } finally {
                callback.sendingThread = null
            }
        }
    }

    private suspend fun sendInLane(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
    ): RecordMetadata {
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
        handOverNow(record, CompletingCallback(record, result, SendTracker.completions)) { result.completeExceptionally(it) }
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
     * Hands [record] to Kafka on the caller's thread when that cannot block, and returns `true`;
     * returns `false` when the record must go through its topic's lane ([handOverInLane]). [context]
     * is the caller's coroutine context, for [io.github.kproducer.dsl.HeadersContext]; [now] a recent
     * `System.nanoTime()` (batches read the clock once per many records).
     *
     * @throws Exception what `Producer.send` throws (a serializer's failure, say).
     */
    fun handOverDirect(
        record: ProducerRecord<K, V>,
        callback: TrackedCallback<K, V>,
        context: CoroutineContext?,
        now: Long,
    ): Boolean {
        checkOpen()
        if (context != null && behaviour.copyContextHeaders) addContextHeaders(record, context)
        val lane = lanes.lane(record.topic())
        if (!lanes.isDirect(lane, record.partition(), now)) return false
        sendDirect(record, callback)
        return true
    }

    /** Hands [record] to Kafka in its topic's lane, where `send` may block; suspends until Kafka has it. */
    suspend fun handOverInLane(
        record: ProducerRecord<K, V>,
        callback: TrackedCallback<K, V>,
    ) {
        handOverInLane(record, lanes.lane(record.topic()), callback)
    }

    /** Like the lane hand-over for callers that cannot suspend: a record that must wait goes to its lane in [scope], in order. */
    private fun handOverNow(
        record: ProducerRecord<K, V>,
        callback: TrackedCallback<K, V>,
        onFailure: (Exception) -> Unit,
    ) {
        checkOpen()
        val lane = lanes.lane(record.topic())
        if (lanes.isDirect(lane, record.partition())) {
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
        callback: TrackedCallback<K, V>,
    ) {
        tracker.handedOver.increment()
        try {
            producer.send(record, callback)
        } catch (e: Exception) {
            tracker.handedOver.decrement()
            throw e
        }
    }

    private suspend fun handOverInLane(
        record: ProducerRecord<K, V>,
        lane: TopicLanes.Lane,
        callback: TrackedCallback<K, V>,
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
        callback: TrackedCallback<K, V>,
    ) {
        tracker.handedOver.increment()
        val future: Future<RecordMetadata> =
            try {
                interruptible { producer.send(record, callback) }
            } catch (e: Exception) {
                tracker.handedOver.decrement()
                throw e
            }
        // A send that came back without a metadata failure proves the topic's partitions are known.
        if (!future.isDone || runCatching { future.get() }.isSuccess) lanes.markReady(lane, record.topic())
    }

    private fun addContextHeaders(
        record: ProducerRecord<K, V>,
        context: CoroutineContext,
    ) {
        val headers = context[HeadersContext] ?: return
        val recordHeaders = record.headers()
        for ((name, value) in headers.entries) {
            if (recordHeaders.lastHeader(name) == null) recordHeaders.add(name, value.toByteArray(Charsets.UTF_8))
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
        val acknowledged = tracker.acknowledged.sum()
        val failed = tracker.failed.sum()
        val kafka = runCatching { producer.metrics() }.getOrDefault(emptyMap())
        val byName = kafka.entries.filter { it.key.group() == "producer-metrics" }.associate { it.key.name() to it.value }

        fun value(name: String): Double? = (byName[name]?.metricValue() as? Number)?.toDouble()
        return ProducerMetrics(
            acknowledged = acknowledged,
            failed = failed,
            inFlight = (tracker.handedOver.sum() - acknowledged - failed).coerceAtLeast(0),
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

    /** Names the cluster and state only: no setting values, so no secret can show. */
    override fun toString(): String =
        "KProducer(bootstrapServers=${bootstrapServers ?: "unknown (wrapped producer)"}, transactional=$transactional, closed=$isClosed)"

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

    /** Resumes a suspended [send], through [resumes] so that Kafka's I/O thread only queues it. */
    private inner class ResumingCallback(
        record: ProducerRecord<K, V>,
        private val continuation: CancellableContinuation<RecordMetadata>,
    ) : TrackedCallback<K, V>(tracker, record) {
        /** Written before the push, whose compare-and-set publishes it to the drain. */
        private var outcome: Any? = null

        /**
         * The thread inside `Producer.send` for this record. A callback on that same thread (an error
         * found in `send`, or a producer that completes at once) resumes directly: the caller has not
         * suspended yet, so nothing is dispatched.
         */
        @Volatile var sendingThread: Thread? = null

        override fun succeeded(metadata: RecordMetadata) {
            outcome = metadata
            if (sendingThread === Thread.currentThread()) resume() else resumes.push(this)
        }

        override fun failed(exception: Exception) {
            outcome = exception
            if (sendingThread === Thread.currentThread()) resume() else resumes.push(this)
        }

        override fun resume() {
            val result = outcome
            if (result is RecordMetadata) continuation.resume(result) else continuation.resumeWithException(result as Exception)
        }
    }

    /**
     * Completes a future: on [executor] when one is given (the future's dependent stages are user
     * code), or on Kafka's I/O thread when the only dependent resumes a coroutine.
     */
    private inner class CompletingCallback(
        record: ProducerRecord<K, V>,
        private val result: CompletableFuture<RecordMetadata>,
        private val executor: Executor?,
    ) : TrackedCallback<K, V>(tracker, record) {
        override fun succeeded(metadata: RecordMetadata) {
            if (executor == null) result.complete(metadata) else executor.execute { result.complete(metadata) }
        }

        override fun failed(exception: Exception) {
            if (executor == null) result.completeExceptionally(exception) else executor.execute { result.completeExceptionally(exception) }
        }
    }

    /** Sends the failure of an [offer] to the error handler. */
    private inner class ReportingCallback(
        private val record: ProducerRecord<K, V>,
        private val inTransaction: Boolean,
    ) : TrackedCallback<K, V>(tracker, record) {
        override fun succeeded(metadata: RecordMetadata) = Unit

        override fun failed(exception: Exception) {
            if (inTransaction && exception is TransactionAbortedException) return
            report(record, exception)
        }
    }

    companion object {
        private val log = LoggerFactory.getLogger(KProducer::class.java)!!
        private const val KAFKA_IO_THREAD = "kafka-producer-network-thread"
    }
}

/** Suspends until this future completes, resuming on the caller's dispatcher; cancelling stops the waiting only. */
internal suspend fun <T> CompletableFuture<T>.awaitResult(): T =
    suspendCancellableCoroutine { continuation ->
        whenComplete { value, error ->
            if (error != null) continuation.resumeWithException(error) else continuation.resume(value)
        }
    }
