package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.InternalForInheritanceTestKitApi
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.MockKafkaProducerConfig
import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.ProducerInterceptor
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.Metric
import org.apache.kafka.common.MetricName
import org.apache.kafka.common.PartitionInfo
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.Uuid
import org.apache.kafka.common.errors.ProducerFencedException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TransactionAbortedException
import org.apache.kafka.common.header.internals.RecordHeaders
import org.apache.kafka.common.metrics.KafkaMetric
import org.apache.kafka.common.serialization.Serializer
import org.slf4j.LoggerFactory
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.RejectedExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.locks.ReentrantLock
import java.util.function.Predicate
import kotlin.concurrent.withLock
import kotlin.time.toKotlinDuration
import kotlin.time.Duration as KotlinDuration

/** The [MockKafkaProducer]; see there for the behaviour. All state is guarded by [lock]. */
@OptIn(InternalForInheritanceTestKitApi::class)
internal class DefaultMockKafkaProducer<K, V>(
    private val keySerializer: Serializer<K>,
    private val valueSerializer: Serializer<V>,
    config: MockKafkaProducerConfig,
) : MockKafkaProducer<K, V> {
    private val completion = config.completion
    private val maxRequestSize = config.maxRequestSize
    private val clock = config.clock
    private val transactionalId = config.transactionalId
    private val partitioning = MockPartitioning(config)

    @Suppress("UNCHECKED_CAST")
    private val interceptors = config.interceptors.toList() as List<ProducerInterceptor<K, V>>

    private val lock = ReentrantLock()
    private val callbackThreadName = "kafka-producer-network-thread | mock-producer-${ids.incrementAndGet()}"
    private val callbacks: ExecutorService =
        Executors.newSingleThreadExecutor { Thread(it, callbackThreadName).apply { isDaemon = true } }

    private var attempts = 0
    private val history = ArrayList<ProducerRecord<K, V>>()
    private val acknowledged = ArrayList<ProducerRecord<K, V>>()
    private val failed = ArrayList<ProducerRecord<K, V>>()
    private val pending = ArrayDeque<Pending>()
    private val committed = ArrayList<ProducerRecord<K, V>>()
    private val aborted = ArrayList<ProducerRecord<K, V>>()
    private val committedOffsets = LinkedHashMap<String, MutableMap<TopicPartition, OffsetAndMetadata>>()
    private val unread = Channel<ProducerRecord<K, V>>(Channel.UNLIMITED)

    private var failNextCount = 0
    private var failNextException: Exception? = null
    private val failPredicates = ArrayList<Pair<Predicate<ProducerRecord<K, V>>, Exception>>()
    private val failAttempts = HashMap<Int, Exception>()

    private var transaction = if (transactionalId == null) TxState.NOT_TRANSACTIONAL else TxState.UNINITIALIZED
    private val transactionRecords = ArrayList<Pending>()
    private var transactionFailed = false
    private val transactionOffsets = LinkedHashMap<String, MutableMap<TopicPartition, OffsetAndMetadata>>()

    @Volatile private var closed = false

    private enum class TxState { NOT_TRANSACTIONAL, UNINITIALIZED, READY, IN_TRANSACTION, FENCED }

    private inner class Pending(
        val record: ProducerRecord<K, V>,
        val attempt: Int,
        val keySize: Int,
        val valueSize: Int,
        val callback: Callback?,
        val future: CompletableFuture<RecordMetadata>,
        val inTransaction: Boolean,
    ) {
        var succeeded = false
    }

    override val isClosed: Boolean get() = closed
    override val isInTransaction: Boolean get() = lock.withLock { transaction == TxState.IN_TRANSACTION }

    // ---- sending ----

    // The record is nullable so that a closed producer says it is closed, as KafkaProducer does, before anything looks at it.
    override fun send(record: ProducerRecord<K, V>?): Future<RecordMetadata> = send(record, null)

    override fun send(
        record: ProducerRecord<K, V>?,
        callback: Callback?,
    ): Future<RecordMetadata> {
        check(!closed) { CLOSED }
        val original = record ?: throw NullPointerException("record must not be null")
        lock.withLock { checkSendAllowed() }
        val record = intercepted(original)
        val keyBytes = serialize(keySerializer, record.topic(), record, record.key(), "key")
        val valueBytes = serialize(valueSerializer, record.topic(), record, record.value(), "value")
        val headers = record.headers()
        (headers as? RecordHeaders)?.setReadOnly()
        val immediateFailure: Exception?
        val entry: Pending
        lock.withLock {
            attempts++
            val partitions = partitioning.partitionCount(record.topic())
            val explicit: Int? = record.partition()
            // An explicit partition is kept even when the send fails, as the client reports it in the failure's metadata.
            val partition = if (partitions == null || explicit != null) explicit else partitioning.partition(record, keyBytes, valueBytes, partitions)
            val timestamp = record.timestamp() ?: clock.asLong
            val assigned = ProducerRecord(record.topic(), partition, timestamp, record.key(), record.value(), headers)
            val size = estimatedSize(keyBytes, valueBytes, headers)
            immediateFailure =
                when {
                    // KafkaProducer.waitOnMetadata waits up to max.block.ms for the topic, or for the partition to
                    // appear; the mock's metadata never changes, so it fails at once, in the client's words.
                    partitions == null -> {
                        TimeoutException("Topic ${record.topic()} not present in metadata after 0 ms.")
                    }

                    explicit != null && explicit >= partitions -> {
                        TimeoutException(
                            "Partition $explicit of topic ${record.topic()} with partition count $partitions is not present in metadata after 0 ms.",
                        )
                    }

                    size > maxRequestSize -> {
                        RecordTooLargeException(
                            "The message is $size bytes when serialized which is larger than $maxRequestSize, " +
                                "which is the value of the max.request.size configuration.",
                        )
                    }

                    // KafkaProducer.doSend learns it from TransactionManager.maybeAddPartition, after the checks
                    // above; an ApiException there fails the callback and the returned future, it is not thrown.
                    transaction == TxState.FENCED -> {
                        fenced()
                    }

                    else -> {
                        null
                    }
                }
            entry =
                Pending(
                    assigned,
                    attempts,
                    keyBytes?.size ?: -1,
                    valueBytes?.size ?: -1,
                    callback,
                    CompletableFuture(),
                    transaction == TxState.IN_TRANSACTION,
                )
            history += assigned
            unread.trySend(assigned)
            if (entry.inTransaction) transactionRecords += entry
            if (immediateFailure != null) {
                recordFailure(entry)
            } else {
                pending.addLast(entry)
            }
        }
        if (immediateFailure != null) {
            // As the real client: errors found inside send are reported before it returns, on this thread.
            deliver(entry, null, immediateFailure, atSend = true)
            return entry.future
        }
        if (completion == Completion.AUTOMATIC) {
            try {
                callbacks.execute { lock.withLock { takePending(entry) }?.let { completeAndDeliver(it) } }
            } catch (e: RejectedExecutionException) {
                // Closed while this send was under way: close fails what is still pending.
                lock.withLock { takePending(entry) }?.let { completeAndDeliver(it, closedForcefully()) }
            }
        }
        return entry.future
    }

    /** Runs the interceptors' `onSend` in order; one that throws is logged and skipped, as in the client. */
    private fun intercepted(record: ProducerRecord<K, V>): ProducerRecord<K, V> =
        interceptors.fold(record) { current, interceptor ->
            try {
                interceptor.onSend(current)
            } catch (e: Exception) {
                log.warn("Error executing interceptor onSend callback for topic {}", current.topic(), e)
                current
            }
        }

    /** The transaction states in which the client throws from `send`; a fenced producer fails the send instead. */
    private fun checkSendAllowed() {
        when (transaction) {
            TxState.UNINITIALIZED -> throw IllegalStateException(
                "Cannot perform a 'send' before completing a call to initTransactions when transactions are enabled.",
            )

            TxState.READY -> throw IllegalStateException("Cannot send outside a transaction: call beginTransaction() first")

            else -> Unit
        }
    }

    private fun <T> serialize(
        serializer: Serializer<T>,
        topic: String,
        record: ProducerRecord<K, V>,
        data: T?,
        role: String,
    ): ByteArray? =
        try {
            serializer.serialize(topic, record.headers(), data)
        } catch (e: ClassCastException) {
            throw SerializationException(
                "Can't convert $role of class ${data?.javaClass?.name} to class ${serializer.javaClass.name} specified in $role.serializer",
                e,
            )
        }

    private fun estimatedSize(
        key: ByteArray?,
        value: ByteArray?,
        headers: org.apache.kafka.common.header.Headers,
    ): Int =
        BATCH_OVERHEAD + (key?.size ?: 0) + (value?.size ?: 0) +
            headers.sumOf { it.key().length + (it.value()?.size ?: 0) + HEADER_OVERHEAD }

    // ---- completion ----

    private fun takePending(entry: Pending): Pending? = if (pending.remove(entry)) entry else null

    /** Decides the outcome of [entry] (a scripted failure, [forced], or success) and delivers it. */
    private fun completeAndDeliver(
        entry: Pending,
        forced: Exception? = null,
    ) {
        val (metadata, exception) = lock.withLock { decide(entry, forced) }
        deliver(entry, metadata, exception)
    }

    private fun decide(
        entry: Pending,
        forced: Exception?,
    ): Pair<RecordMetadata?, Exception?> {
        val exception = forced ?: scriptedFailure(entry)
        if (exception != null) {
            recordFailure(entry)
            return null to exception
        }
        val tp = TopicPartition(entry.record.topic(), entry.record.partition())
        val offset = partitioning.nextOffset(tp)
        entry.succeeded = true
        acknowledged += entry.record
        return RecordMetadata(tp, offset, 0, entry.record.timestamp(), entry.keySize, entry.valueSize) to null
    }

    private fun recordFailure(entry: Pending) {
        failed += entry.record
        if (entry.inTransaction) transactionFailed = true
    }

    private fun scriptedFailure(entry: Pending): Exception? {
        failAttempts.remove(entry.attempt)?.let { return it }
        if (failNextCount > 0) {
            failNextCount--
            return failNextException
        }
        return failPredicates.firstOrNull { it.first.test(entry.record) }?.second
    }

    /**
     * Reports the outcome of [entry] in the real client's order: the future completes last, so
     * whoever waits on it sees the callback's effects. A record completed by the "broker" runs the
     * interceptors' `onAcknowledgement`, then the callback (ProducerBatch.completeFutureAndFireCallbacks
     * through KafkaProducer.AppendCallbacks); an error found inside `send` ([atSend]) calls the callback
     * first, then the interceptors (KafkaProducer.doSend, then ProducerInterceptors.onSendError).
     */
    private fun deliver(
        entry: Pending,
        metadata: RecordMetadata?,
        exception: Exception?,
        atSend: Boolean = false,
    ) {
        // On failure the client passes metadata with -1 fields; so do we, to catch code that trusts it.
        val reported = metadata ?: placeholderMetadata(entry)
        if (!atSend) acknowledge(reported, exception)
        entry.callback?.let { callback ->
            try {
                callback.onCompletion(reported, exception)
            } catch (e: Exception) {
                log.error("Error executing user-provided callback on message for topic-partition {}", entry.record.topic(), e)
            }
        }
        if (atSend) acknowledge(reported, exception)
        if (exception != null) entry.future.completeExceptionally(exception) else entry.future.complete(metadata)
    }

    private fun acknowledge(
        metadata: RecordMetadata,
        exception: Exception?,
    ) {
        for (interceptor in interceptors) {
            try {
                interceptor.onAcknowledgement(metadata, exception)
            } catch (e: Exception) {
                log.warn("Error executing interceptor onAcknowledgement callback", e)
            }
        }
    }

    private fun placeholderMetadata(entry: Pending) = RecordMetadata(TopicPartition(entry.record.topic(), entry.record.partition() ?: -1), -1, -1, -1, -1, -1)

    private fun onCallbackThread(): Boolean = Thread.currentThread().name == callbackThreadName

    /** Runs [block] on the callback thread and waits for it, unless already there. */
    private fun onCallbacks(block: () -> Unit) {
        if (onCallbackThread()) block() else callbacks.submit(block).get()
    }

    override fun completeNext(): Boolean = completeOldest(null)

    override fun failNext(exception: Exception): Boolean = completeOldest(exception)

    private fun completeOldest(forced: Exception?): Boolean {
        val entry = lock.withLock { pending.removeFirstOrNull() } ?: return false
        onCallbacks { completeAndDeliver(entry, forced) }
        return true
    }

    override fun completeAll(): Int {
        var count = 0
        while (completeNext()) count++
        return count
    }

    override fun failNextSends(
        count: Int,
        exception: Exception,
    ) {
        require(count >= 0) { "count must not be negative, was $count" }
        lock.withLock {
            failNextCount = count
            failNextException = exception
        }
    }

    override fun failWhen(
        exception: Exception,
        predicate: Predicate<ProducerRecord<K, V>>,
    ) {
        lock.withLock { failPredicates += predicate to exception }
    }

    override fun failOnAttempt(
        attempt: Int,
        exception: Exception,
    ) {
        require(attempt >= 1) { "attempts count from 1, was $attempt" }
        lock.withLock { failAttempts[attempt] = exception }
    }

    override fun clearFailures() {
        lock.withLock {
            failNextCount = 0
            failNextException = null
            failPredicates.clear()
            failAttempts.clear()
        }
    }

    override fun flush() {
        // KafkaProducer.flush refuses its I/O thread with a KafkaException (not an IllegalStateException).
        if (onCallbackThread()) {
            throw KafkaException("KafkaProducer.flush() invocation inside a callback is not permitted because it may lead to deadlock.")
        }
        if (completion == Completion.MANUAL) completeAll()
        if (!closed) onCallbacks { }
    }

    // ---- transactions ----

    override fun initTransactions() {
        lock.withLock {
            requireTransactional()
            // Kafka's TransactionManager refuses the transition to INITIALIZING from any later state.
            check(transaction == TxState.UNINITIALIZED) {
                "TransactionalId $transactionalId: Invalid transition attempted from state ${transaction.name} to state INITIALIZING"
            }
            transaction = TxState.READY
        }
    }

    override fun beginTransaction() {
        lock.withLock {
            requireTransactional()
            when (transaction) {
                TxState.UNINITIALIZED -> throw IllegalStateException("Call initTransactions() before beginTransaction()")
                TxState.IN_TRANSACTION -> throw IllegalStateException("A transaction is already open; commit or abort it first")
                else -> Unit
            }
            transaction = TxState.IN_TRANSACTION
            transactionRecords.clear()
            transactionFailed = false
            transactionOffsets.clear()
        }
    }

    override fun sendOffsetsToTransaction(
        offsets: Map<TopicPartition, OffsetAndMetadata>?,
        groupMetadata: ConsumerGroupMetadata,
    ) {
        lock.withLock {
            // KafkaProducer checks that it is transactional and open before it looks at the offsets.
            requireTransactionalAndOpen()
            if (offsets == null) throw NullPointerException("offsets must not be null")
            if (offsets.isEmpty()) {
                // KafkaProducer.sendOffsetsToTransaction ignores empty offsets after checking only these:
                // not the transaction's state, not fencing.
                requireTransactionalAndOpen()
                return
            }
            requireOpenTransaction("sendOffsetsToTransaction")
            transactionOffsets.getOrPut(groupMetadata.groupId()) { LinkedHashMap() }.putAll(offsets)
        }
    }

    override fun commitTransaction() {
        lock.withLock { requireOpenTransaction("commitTransaction") }
        // Committing flushes: records of the transaction complete first (scripts apply).
        flush()
        lock.withLock {
            if (transactionFailed) {
                throw KafkaException("Cannot commit the transaction: a record of it failed. Call abortTransaction() and retry.")
            }
            committed += transactionRecords.map { it.record }
            transactionOffsets.forEach { (group, offsets) -> committedOffsets.getOrPut(group) { LinkedHashMap() }.putAll(offsets) }
            endTransaction()
        }
    }

    override fun abortTransaction() {
        val abortedPending =
            lock.withLock {
                requireOpenTransaction("abortTransaction")
                val unsent = transactionRecords.filter { pending.remove(it) }
                aborted += transactionRecords.map { it.record }
                endTransaction()
                unsent
            }
        abortedPending.forEach { entry ->
            onCallbacks { completeAndDeliver(entry, TransactionAbortedException("Failing batch since transaction was aborted")) }
        }
    }

    override fun fence() {
        lock.withLock {
            requireTransactional()
            check(transaction != TxState.UNINITIALIZED) {
                "fence() simulates a newer producer with transactional.id '$transactionalId' taking over, which can only " +
                    "fence a producer that got its producer id: call initTransactions() before fence()"
            }
            transaction = TxState.FENCED
        }
    }

    private fun endTransaction() {
        transaction = TxState.READY
        transactionRecords.clear()
        transactionOffsets.clear()
        transactionFailed = false
    }

    /** The checks of every transactional call, in KafkaProducer's order: transactional, not closed, not fenced. */
    private fun requireTransactional() {
        requireTransactionalAndOpen()
        if (transaction == TxState.FENCED) throw fenced()
    }

    /** As TransactionManager.maybeFailWithError words it, less the producer id and epoch the mock has not got. */
    private fun fenced() =
        ProducerFencedException(
            "Producer with transactionalId '$transactionalId' has been fenced by another producer with the same transactionalId",
        )

    private fun requireTransactionalAndOpen() {
        check(transaction != TxState.NOT_TRANSACTIONAL) {
            "Transactional method invoked on a non-transactional producer: set transactionalId in the MockKafkaProducer configuration"
        }
        check(!closed) { CLOSED }
    }

    private fun requireOpenTransaction(operation: String) {
        requireTransactional()
        check(transaction == TxState.IN_TRANSACTION) { "Cannot call $operation without an open transaction: call beginTransaction() first" }
    }

    // ---- history ----

    override fun history(): List<ProducerRecord<K, V>> = lock.withLock { history.toList() }

    override fun acknowledged(): List<ProducerRecord<K, V>> = lock.withLock { acknowledged.toList() }

    override fun failed(): List<ProducerRecord<K, V>> = lock.withLock { failed.toList() }

    override fun pending(): List<ProducerRecord<K, V>> = lock.withLock { pending.map { it.record } }

    override fun committed(): List<ProducerRecord<K, V>> = lock.withLock { committed.toList() }

    override fun aborted(): List<ProducerRecord<K, V>> = lock.withLock { aborted.toList() }

    override fun committedOffsets(): Map<String, Map<TopicPartition, OffsetAndMetadata>> = lock.withLock { committedOffsets.mapValues { it.value.toMap() } }

    override fun clearHistory() {
        lock.withLock {
            listOf(history, acknowledged, failed, committed, aborted).forEach { it.clear() }
            while (unread.tryReceive().isSuccess) continue
        }
    }

    override suspend fun awaitRecord(timeout: KotlinDuration): ProducerRecord<K, V> =
        // Real time, also inside a test dispatcher's virtual time, as Turbine does.
        withContext(Dispatchers.Default) { withTimeoutOrNull(timeout) { unread.receive() } }
            ?: throw AssertionError("No record was sent within $timeout (${history().size} sent in all, every one already awaited)")

    override fun awaitRecord(timeout: java.time.Duration): ProducerRecord<K, V> = runBlocking { awaitRecord(timeout.toKotlinDuration()) }

    override fun expectNoRecords() {
        val remaining = generateSequence { unread.tryReceive().getOrNull() }.toList()
        if (remaining.isNotEmpty()) {
            throw AssertionError("Expected no unread records, but ${remaining.size} were sent:\n" + remaining.joinToString("\n") { "  " + describe(it) })
        }
    }

    // ---- the rest of Producer ----

    override fun partitionsFor(topic: String): List<PartitionInfo> =
        lock.withLock { partitioning.partitionCount(topic)?.let { partitioning.partitionInfos(topic) } }
            ?: throw TimeoutException("Topic $topic not present in metadata after 0 ms.")

    override fun metrics(): Map<MetricName, Metric> = emptyMap()

    override fun clientInstanceId(timeout: Duration): Uuid = throw IllegalStateException("Telemetry is not enabled on the mock producer")

    override fun registerMetricForSubscription(metric: KafkaMetric) = Unit

    override fun unregisterMetricFromSubscription(metric: KafkaMetric) = Unit

    override fun close() = close(Duration.ofMillis(Long.MAX_VALUE))

    override fun close(timeout: Duration) {
        // Automatic completions already queued finish normally, as in-flight records do when the client closes.
        if (completion == Completion.AUTOMATIC && !closed && !onCallbackThread()) {
            runCatching { callbacks.submit { }.get(timeout.toMillis().coerceAtMost(MAX_CLOSE_WAIT_MS), TimeUnit.MILLISECONDS) }
        }
        val unfinished =
            lock.withLock {
                if (closed) return
                closed = true
                if (transaction == TxState.IN_TRANSACTION) {
                    aborted += transactionRecords.map { it.record }
                    endTransaction()
                }
                val all = pending.toList()
                pending.clear()
                all
            }
        val forced = closedForcefully()
        unfinished.forEach { entry -> callbacks.execute { completeAndDeliver(entry, forced) } }
        callbacks.shutdown()
        if (!onCallbackThread()) callbacks.awaitTermination(timeout.toMillis().coerceAtMost(MAX_CLOSE_WAIT_MS), TimeUnit.MILLISECONDS)
    }

    private fun closedForcefully() = KafkaException("Producer is closed forcefully.")

    private companion object {
        val log = LoggerFactory.getLogger(MockKafkaProducer::class.java)!!
        val ids = AtomicInteger()

        /** A record batch's header, as in Kafka's record format v2. */
        const val BATCH_OVERHEAD = 61 + 21
        const val HEADER_OVERHEAD = 2
        const val MAX_CLOSE_WAIT_MS = 30_000L

        /** KafkaProducer.throwIfProducerClosed's message. */
        const val CLOSED = "Cannot perform operation after producer has been closed"
    }
}
