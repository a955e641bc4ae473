package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.HeadersContext
import io.github.kproducer.dsl.InternalForInheritanceKProducerApi
import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KTransaction
import io.github.kproducer.dsl.ProducerMetrics
import io.github.kproducer.dsl.SendResult
import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.delivery.Deliveries
import io.github.kproducer.dsl.internal.delivery.QueuedWork
import io.github.kproducer.dsl.internal.delivery.ResumeQueue
import io.github.kproducer.dsl.internal.send.Batches
import io.github.kproducer.dsl.internal.send.ClientProbe
import io.github.kproducer.dsl.internal.send.FirstWriteGuard
import io.github.kproducer.dsl.internal.send.HandOff
import io.github.kproducer.dsl.internal.send.InFlightRecord
import io.github.kproducer.dsl.internal.send.ProducerInternals
import io.github.kproducer.dsl.internal.send.SendTracker
import io.github.kproducer.dsl.internal.send.SendWatchdog
import io.github.kproducer.dsl.internal.send.ThreadHeaders
import io.github.kproducer.dsl.internal.send.interruptible
import io.github.kproducer.dsl.internal.tx.Transactions
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.errors.TransactionAbortedException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
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
 * The [KProducer] over a Kafka [Producer]. See [KProducer] for the contract and [HandOff] for how
 * a record reaches Kafka without blocking the caller's thread. Batches live in [Batches],
 * transactions in [Transactions]; outcomes that run user code are delivered in order by
 * [Deliveries], resumptions of suspended sends by [ResumeQueue].
 *
 * The hot path is `send` with the topic's metadata known: one `Producer.send` on the caller's thread
 * with one callback object that resumes the caller. Its suspend functions make suspend calls only in
 * tail position, so none of them allocates a state machine.
 */
@OptIn(InternalForInheritanceKProducerApi::class)
internal class DefaultKProducer<K, V>(
    override val producer: Producer<K, V>,
    val behaviour: ProducerBehaviour<K, V>,
    private val bootstrapServers: String?,
    probe: ClientProbe,
    /** Sends outside `transaction { }` are refused: on a transactional producer they would join whatever transaction is open. */
    private val transactional: Boolean,
    /** How messages name what the caller wrote: built or wrapped from Java, they name the Java forms. */
    val wording: Wording = Wording.KOTLIN,
) : KProducer<K, V> {
    private val closed = AtomicBoolean(false)

    @Volatile private var fatalCause: Throwable? = null
    val deliveries = Deliveries()
    private val guard = firstWriteGuard(producer, probe)
    val tracker = SendTracker(behaviour, bootstrapServers, deliveries, unguarded = producer !is KafkaProducer<*, *>)
    val handOff = HandOff(producer, probe, tracker, guard)
    private val resumes = ResumeQueue()
    private val batches = Batches(this)
    private val transactions = Transactions(this)
    private val tracing = behaviour.tracing?.forProducer(producer)

    /**
     * Runs the Java forms of the suspending calls. Everything in it ends by itself (every record ends),
     * so a future it completes says what happened; only a call still running when [close] has waited
     * for it (a `transactionAsync` whose block's future never completes) is cancelled.
     */
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default + CoroutineName("kproducer"))

    init {
        SendWatchdog.retain()
    }

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
        if (interceptor !== Dispatchers.Default && context.isUnconfined()) {
            // An unconfined caller would continue on Kafka's I/O thread; give it a real dispatcher.
            return withContext(Dispatchers.Default) { sendRecord(record) }
        }
        if (behaviour.copyContextHeaders) addContextHeaders(record, context)
        return suspendCancellableCoroutine { continuation ->
            val callback = ResumingCallback(record, continuation)
            trace(record, callback, context)
            callback.sendingThread = Thread.currentThread()
            try {
                if (!handOff.tryDirect(record, callback)) {
                    handOff.enqueue(record, callback)
                    // Cancelled while still queued: the record is not sent. Once Kafka has it, cancelling stops the waiting only.
                    continuation.invokeOnCancellation { handOff.withdraw(callback) }
                }
            } finally {
                callback.sendingThread = null
            }
        }
    }

    override fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        checkOutsideTransaction()
        return sendRecordAsync(record)
    }

    fun sendRecordAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        checkOpen()
        if (behaviour.copyContextHeaders) addThreadHeaders(record)
        val result = CompletableFuture<RecordMetadata>()
        val callback = CompletingCallback(record, result)
        trace(record, callback, null)
        try {
            if (!handOff.submit(record, callback)) {
                // Cancelled while still queued: the record is not sent, as with send. Once Kafka has it, cancelling stops the waiting only.
                result.whenComplete { _, failure -> if (failure is CancellationException) handOff.withdraw(callback) }
            }
        } catch (e: Exception) {
            result.completeExceptionally(e)
        }
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
        checkOpen()
        if (behaviour.copyContextHeaders) addThreadHeaders(record)
        val callback = ReportingCallback(record, inTransaction)
        trace(record, callback, null)
        try {
            handOff.submit(record, callback)
        } catch (e: Exception) {
            report(record, e)
        }
    }

    /**
     * Hands [record] over for a batch: directly when that cannot block, otherwise queued in its lane.
     * [context] is the caller's coroutine context, for [io.github.kproducer.dsl.HeadersContext].
     * Returns `true` when the record went to Kafka directly.
     *
     * @throws Exception what `Producer.send` throws (a serializer's failure, say).
     */
    fun handOver(
        record: ProducerRecord<K, V>,
        callback: InFlightRecord<K, V>,
        context: CoroutineContext,
    ): Boolean {
        checkOpen()
        if (behaviour.copyContextHeaders) addContextHeaders(record, context)
        trace(record, callback, context)
        return handOff.submit(record, callback)
    }

    /** Starts the span of [record] when the producer traces sends; [context] is the suspending caller's, null for the others. */
    private fun trace(
        record: ProducerRecord<K, V>,
        callback: InFlightRecord<K, V>,
        context: CoroutineContext?,
    ) {
        if (tracing != null) callback.span = tracing.start(record, context)
    }

    private fun addContextHeaders(
        record: ProducerRecord<K, V>,
        context: CoroutineContext,
    ) {
        val headers = context[HeadersContext] ?: return
        addHeaders(record, headers.entries)
    }

    /** Adds the headers of the calling thread's [io.github.kproducer.dsl.HeadersScope], for the sends that do not suspend. */
    private fun addThreadHeaders(record: ProducerRecord<K, V>) {
        addHeaders(record, ThreadHeaders.entries() ?: return)
    }

    private fun addHeaders(
        record: ProducerRecord<K, V>,
        entries: Map<String, String>,
    ) {
        val recordHeaders = record.headers()
        for ((name, value) in entries) {
            if (recordHeaders.lastHeader(name) == null) recordHeaders.add(name, value.toByteArray(Charsets.UTF_8))
        }
    }

    // ---- batches and transactions ----

    override suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        checkOutsideTransaction()
        return sendAllRecords(records)
    }

    /** [sendAll] without the transactional check, for [Transactions]. An unconfined caller is resumed off Kafka's I/O thread by the batch's window. */
    suspend fun sendAllRecords(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        checkOpen()
        return batches.sendAll(records)
    }

    override suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>> {
        checkOutsideTransaction()
        checkOpen()
        return batches.sendAllSettled(records)
    }

    override fun sendAll(records: Flow<ProducerRecord<K, V>>): Flow<RecordMetadata> = batches.flow(records, ::checkBeforeFlow)

    override fun sendAllSettled(records: Flow<ProducerRecord<K, V>>): Flow<SendResult<K, V>> = batches.settledFlow(records, ::checkBeforeFlow)

    private fun checkBeforeFlow() {
        checkOutsideTransaction()
        checkOpen()
    }

    override fun sendAllAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<RecordMetadata>> {
        checkOutsideTransaction()
        checkOpen()
        // The batch runs in a coroutine: the caller's thread scope goes with it as its HeadersContext.
        return scope.future(ThreadHeaders.asCoroutineContext()) { sendAll(records) }
    }

    override fun sendAllSettledAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<SendResult<K, V>>> {
        checkOutsideTransaction()
        checkOpen()
        return scope.future(ThreadHeaders.asCoroutineContext()) { sendAllSettled(records) }
    }

    override suspend fun <T> transaction(block: suspend KTransaction<K, V>.() -> T): T = transactions.run(block)

    override fun <T> transactionAsync(block: java.util.function.Function<KTransaction<K, V>, CompletableFuture<T>>): CompletableFuture<T> {
        checkOpen()
        transactions.checkNotNested("transactionAsync")
        // The block runs on another thread, with the scope that was open on the caller's.
        val headers = ThreadHeaders.entries()
        return scope.future { transaction { ThreadHeaders.with(headers) { block.apply(this) }.await() } }
    }

    override fun <T> inTransaction(block: java.util.function.Function<KTransaction<K, V>, T>): T {
        checkOpen()
        transactions.checkNotNested("inTransaction")
        // The block runs on the caller's thread, inside the transaction; the Kafka calls go to Dispatchers.IO.
        return runBlocking { transactions.run { block.apply(this) } }
    }

    // ---- flush, close, metrics ----

    override suspend fun flush() {
        checkOpen()
        handOff.awaitQueued()
        withContext(Dispatchers.IO) { interruptible { producer.flush() } }
        // Kafka has run every callback; let the futures and handlers they queued run too.
        deliveries.awaitDelivered()
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
        closeWithin(timeout, awaitJavaCalls = true)
    }

    /**
     * Closes: lanes hand over what they can within [timeout], the rest of what they hold fails, Kafka
     * closes, and every outcome is delivered. With [awaitJavaCalls], also waits (briefly) for the Java
     * forms of suspending calls to complete their futures; not when the closing call may be one of them.
     */
    private fun closeWithin(
        timeout: Duration,
        awaitJavaCalls: Boolean,
    ) {
        if (!closed.compareAndSet(false, true)) return
        val started = TimeSource.Monotonic.markNow()

        fun remainingMs() = (timeout - started.elapsedNow()).inWholeMilliseconds.coerceAtLeast(0)
        // Kafka's I/O thread (a callback closing the producer) must not wait for what only it can complete.
        val waits = !Thread.currentThread().name.startsWith(KAFKA_IO_THREAD)
        try {
            // Records queued in lanes were accepted before close: hand them over while time remains; the rest fail.
            if (waits) handOff.awaitQueuedBlocking(remainingMs())
            handOff.failQueued(KafkaException(CLOSED_BEFORE_KAFKA))
            producer.close(java.time.Duration.ofMillis(remainingMs()))
            if (waits) {
                // Kafka's close woke every lane waiting in it; each fails what it holds now.
                if (!handOff.awaitQueuedBlocking(maxOf(remainingMs(), GRACE_MS))) {
                    log.warn("kproducer: a lane was still handing over a record when close returned")
                }
                if (!deliveries.awaitDeliveredBlocking(maxOf(remainingMs(), GRACE_MS))) {
                    log.warn("kproducer: close returns while outcomes are still being delivered (a future stage, onError handler or listener is slow)")
                }
                if (awaitJavaCalls && !awaitJavaForms(maxOf(remainingMs(), GRACE_MS))) {
                    // A transactionAsync whose block's future never completes would run forever: it is aborted and its future cancelled.
                    scope.coroutineContext[Job]!!.children.forEach { it.cancel(CancellationException(CLOSED_WHILE_RUNNING)) }
                    if (!awaitJavaForms(GRACE_MS)) {
                        log.warn("kproducer: close returns while a sendAllAsync, flushAsync or transactionAsync call is still running")
                    }
                }
            }
        } finally {
            SendWatchdog.release()
        }
    }

    override fun close(timeout: java.time.Duration) {
        close(timeout.toKotlinDuration())
    }

    override fun close() {
        close(behaviour.closeTimeout)
    }

    /** Blocks up to [timeoutMs] until the coroutines behind the Java forms have completed their futures. */
    private fun awaitJavaForms(timeoutMs: Long): Boolean {
        val running = scope.coroutineContext[Job]!!.children.toList()
        if (running.isEmpty()) return true
        val done = CountDownLatch(running.size)
        running.forEach { it.invokeOnCompletion { done.countDown() } }
        return done.await(timeoutMs, TimeUnit.MILLISECONDS)
    }

    /** Closes at once after [cause], which leaves the producer unusable; later calls name it. Joins Kafka's I/O thread, so not on the caller's dispatcher. */
    suspend fun closeAfterFatal(cause: Throwable) {
        if (closed.get()) return
        fatalCause = cause
        log.error("Closing the KProducer after a fatal error; create a new producer to go on: {}", cause.toString())
        // The caller may be the coroutine of a transactionAsync: it must not wait for itself.
        withContext(Dispatchers.IO + NonCancellable) { closeWithin(Duration.ZERO, awaitJavaCalls = false) }
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
            inFlight = (tracker.accepted.sum() - acknowledged - failed).coerceAtLeast(0),
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
            "This producer is transactional (transactionalId is set): send inside ${wording.transaction}, " +
                "or build a producer without transactionalId for sends outside transactions"
        }
    }

    /** Hands the failure of a fire-and-forget record to the error handler, in order, never on Kafka's I/O thread. */
    private fun report(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        deliveries.deliver(Report(record, exception))
    }

    private inner class Report(
        private val record: ProducerRecord<K, V>,
        private val exception: Exception,
    ) : QueuedWork() {
        override fun runQueued() {
            handle(record, exception)
        }
    }

    private fun handle(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        try {
            behaviour.errorHandler.onError(record, exception)
        } catch (e: Exception) {
            log.error("The onError handler of a KProducer threw while handling a failure of topic {}", record.topic(), e)
        }
    }

    /** Resumes a suspended [send], through [resumes] so that Kafka's I/O thread only queues it. */
    private inner class ResumingCallback(
        record: ProducerRecord<K, V>,
        private val continuation: CancellableContinuation<RecordMetadata>,
    ) : InFlightRecord<K, V>(record) {
        override val tracker: SendTracker<K, V> get() = this@DefaultKProducer.tracker

        /** Written before the push, whose compare-and-set publishes it to the drain. */
        private var outcome: Any? = null

        /**
         * The thread inside `Producer.send` for this record. A callback on that same thread (an error
         * found in `send`, or a producer that completes at once) resumes directly: the caller has not
         * suspended yet, so nothing is dispatched. Not volatile: only the sending thread writes it, so
         * any other thread reads either null or the sending thread, never itself.
         */
        @JvmField var sendingThread: Thread? = null

        override fun succeeded(metadata: RecordMetadata) {
            outcome = metadata
            if (sendingThread === Thread.currentThread()) resumeDispatched() else resumes.resume(this)
        }

        override fun failed(exception: Exception) {
            outcome = exception
            if (sendingThread === Thread.currentThread()) resumeDispatched() else resumes.resume(this)
        }

        /**
         * On the resume drain, a thread of `Dispatchers.Default`. A caller that runs on `Dispatchers.Default`
         * itself may be resumed in place (read from its context here, not kept in a field: every pending
         * send holds this object).
         */
        @OptIn(ExperimentalCoroutinesApi::class)
        override fun runQueued() {
            if (continuation.context[ContinuationInterceptor] !== Dispatchers.Default || !resumes.mayResumeInPlace()) return resumeDispatched()
            val result = outcome
            val dispatcher = Dispatchers.Default
            with(continuation) {
                if (result is RecordMetadata) dispatcher.resumeUndispatched(result) else dispatcher.resumeUndispatchedWithException(result as Exception)
            }
        }

        private fun resumeDispatched() {
            val result = outcome
            if (result is RecordMetadata) continuation.resume(result) else continuation.resumeWithException(result as Exception)
        }
    }

    /** Completes a `sendAsync` future in [deliveries], so that its dependent stages run in Kafka's callback order, off the I/O thread. */
    private inner class CompletingCallback(
        record: ProducerRecord<K, V>,
        private val result: CompletableFuture<RecordMetadata>,
    ) : InFlightRecord<K, V>(record) {
        override val tracker: SendTracker<K, V> get() = this@DefaultKProducer.tracker

        private var outcome: Any? = null

        override fun succeeded(metadata: RecordMetadata) {
            outcome = metadata
            deliveries.deliver(this)
        }

        override fun failed(exception: Exception) {
            outcome = exception
            deliveries.deliver(this)
        }

        override fun runQueued() {
            val value = outcome
            if (value is RecordMetadata) result.complete(value) else result.completeExceptionally(value as Exception)
        }
    }

    /** Sends the failure of an [offer] to the error handler, in [deliveries]. */
    private inner class ReportingCallback(
        record: ProducerRecord<K, V>,
        private val inTransaction: Boolean,
    ) : InFlightRecord<K, V>(record) {
        override val tracker: SendTracker<K, V> get() = this@DefaultKProducer.tracker

        private var failure: Exception? = null

        override fun succeeded(metadata: RecordMetadata) = Unit

        override fun failed(exception: Exception) {
            if (inTransaction && exception is TransactionAbortedException) return
            failure = exception
            deliveries.deliver(this)
        }

        override fun runQueued() {
            handle(record, failure!!)
        }
    }

    companion object {
        private val log = LoggerFactory.getLogger(KProducer::class.java)!!
        private const val KAFKA_IO_THREAD = "kafka-producer-network-thread"

        /** How long close waits at least for lanes and deliveries after Kafka's close, even for `close(ZERO)`. */
        private const val GRACE_MS = 2_000L
        private const val CLOSED_WHILE_RUNNING =
            "The KProducer was closed while this call was still running (a transactionAsync block's future that never " +
                "completed?); it was cancelled, and an open transaction aborted"
        private const val CLOSED_BEFORE_KAFKA =
            "The KProducer was closed before this record could be handed to Kafka (it was waiting for the topic's metadata or " +
                "for buffer memory); it was not sent. Close with a longer timeout to let such records through."
    }
}

/**
 * The guard of first writes ([FirstWriteGuard]) for an idempotent `KafkaProducer`, watched for producer
 * id changes; `null` for any other producer (a mock, a decorator the DSL cannot see into, idempotence off).
 */
private fun <K, V> firstWriteGuard(
    producer: Producer<K, V>,
    probe: ClientProbe,
): FirstWriteGuard<K, V>? {
    val internals = ProducerInternals.of<K, V>(producer) ?: return null
    return FirstWriteGuard(internals, probe.maxBlockMs).also { SendWatchdog.watch(it) }
}

/** Whether resuming a coroutine of this context would run it on the resuming thread (unconfined, `suspend fun main`, `UnconfinedTestDispatcher`). */
internal fun CoroutineContext.isUnconfined(): Boolean {
    val interceptor = this[ContinuationInterceptor]
    return interceptor !is CoroutineDispatcher || !interceptor.isDispatchNeeded(this)
}
