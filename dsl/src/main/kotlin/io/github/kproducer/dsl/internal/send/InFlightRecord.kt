package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.internal.delivery.QueuedWork
import io.github.kproducer.dsl.internal.tracing.SendSpan
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.InvalidRecordException
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.OutOfOrderSequenceException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TransactionAbortedException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * The base of every callback a producer hands to Kafka. It branches on the exception, never on the
 * metadata (on failure Kafka passes metadata with -1 fields), and does nothing on Kafka's I/O
 * thread but count, store, resume or queue a delivery.
 *
 * A record that cannot go to Kafka at once waits in its topic's lane ([HandOff]) as this callback:
 * [deadline] bounds its wait, and [take]/[withdraw] decide, once, whether the lane sends it or its
 * cancelled caller took it back.
 *
 * It is allocated once per record, and a record in flight holds it until its acknowledgement, so it
 * carries only what every record needs: the record, and the link of the queue it may sit in. What a
 * record needs only off the fast path (a lane's deadline and state, the guard's partition and probe,
 * a span) lives in [Detour], allocated the first time one of them is set; in steady state there is
 * none, and a pending `send` costs the heap 16 bytes more than the bare `suspendCancellableCoroutine`.
 *
 * How the outcome reaches the caller is the subclass's job, one per kind of call: [ResumingRecord]
 * resumes a suspended `send`, [FutureRecord] completes a `sendAsync` future, [ReportingRecord] reports
 * an `offer`'s failure, and [SlotRecord] fills its slot in a batch's window. Each keeps what it needs in
 * the one object.
 */
internal abstract class InFlightRecord<K, V>(
    @JvmField val record: ProducerRecord<K, V>,
) : QueuedWork(),
    Callback {
    /** The producer's outcome counters and listeners; a getter, not a field, so that no record pays a reference for it. */
    protected abstract val tracker: SendTracker<K, V>

    /** The state of a record off the fast path; null while it has none. Volatile: a cancelled caller's thread reads it in [withdraw]. */
    @Volatile private var detour: Detour<K, V>? = null

    private fun detour(): Detour<K, V> = detour ?: Detour<K, V>().also { detour = it }

    /** While queued in a lane: the `System.nanoTime()` by which it must reach Kafka or fail. */
    var deadline: Long
        get() = detour?.deadline ?: 0
        set(value) {
            detour().deadline = value
        }

    /** The record's span when the producer traces sends; ended with the outcome. */
    var span: SendSpan?
        get() = detour?.span
        set(value) {
            if (value != null || detour != null) detour().span = value
        }

    /**
     * The partition [FirstWriteGuard] decided the record goes to, or -1 when Kafka places it as usual;
     * with [assignTarget] the record is handed to Kafka with that partition ([outgoing]).
     */
    var target: Int
        get() = detour?.target ?: -1
        set(value) {
            if (value >= 0 || detour != null) detour().target = value
        }

    /** Whether Kafka gets the record with [target] as its partition: the guard, not Kafka, picked it. */
    var assignTarget: Boolean
        get() = detour?.assignTarget ?: false
        set(value) {
            if (value || detour != null) detour().assignTarget = value
        }

    /** Set while the record is its partition's first write ([FirstWriteGuard]): its outcome ends the probe. */
    var firstWrite: FirstWriteGuard<K, V>.TopicWrites?
        get() = detour?.firstWrite
        set(value) {
            if (value != null || detour != null) detour().firstWrite = value
        }

    final override fun onCompletion(
        metadata: RecordMetadata?,
        exception: Exception?,
    ) {
        val failure = tracker.completed(record, metadata, exception)
        detour?.let { detour ->
            detour.firstWrite?.let {
                detour.firstWrite = null
                it.probeEnded(detour.target, acknowledged = failure == null)
            }
            detour.span?.end(metadata, failure)
        }
        if (failure == null) succeeded(metadata!!) else failed(failure)
    }

    /** The record as Kafka gets it: with the partition the guard picked, when it picked one Kafka would not. */
    fun outgoing(): ProducerRecord<K, V> {
        val detour = detour
        return if (detour == null || !detour.assignTarget) {
            record
        } else {
            ProducerRecord(record.topic(), detour.target, record.timestamp(), record.key(), record.value(), record.headers())
        }
    }

    protected abstract fun succeeded(metadata: RecordMetadata)

    protected abstract fun failed(exception: Exception)

    /** Callbacks that run on a queue override this; the others are never queued. */
    override fun runQueued(): Unit = Unit

    /** Marks this record as waiting in a lane. */
    fun queued() {
        detour().laneState = QUEUED
    }

    /** The lane claims the record to send or fail it; `false` when its caller withdrew it. */
    fun take(): Boolean = detour?.let { STATE.compareAndSet(it, QUEUED, TAKEN) } ?: false

    /** The cancelled caller takes the record back before the lane reached it; `false` when the lane has it already. */
    fun withdraw(): Boolean = detour?.let { STATE.compareAndSet(it, QUEUED, WITHDRAWN) } ?: false

    /** What a record needs only off the fast path: see [InFlightRecord]. */
    internal class Detour<K, V> {
        @JvmField var deadline: Long = 0

        @JvmField var span: SendSpan? = null

        @JvmField var target: Int = -1

        @JvmField var assignTarget: Boolean = false

        @JvmField var firstWrite: FirstWriteGuard<K, V>.TopicWrites? = null

        /** Where the record is in a lane's life (see [take]); public in bytecode for the field updater. */
        @Volatile @JvmField
        var laneState: Int = NOT_QUEUED
    }

    private companion object {
        const val NOT_QUEUED = 0
        const val QUEUED = 1
        const val TAKEN = 2
        const val WITHDRAWN = 3
        val STATE: AtomicIntegerFieldUpdater<Detour<*, *>> = AtomicIntegerFieldUpdater.newUpdater(Detour::class.java, "laneState")
    }
}

/**
 * A record whose outcome is handed back to its caller off Kafka's I/O thread: the callback stores it
 * and [handBack] queues this same object, which then completes the caller in [runQueued].
 */
internal abstract class HandedBackRecord<K, V>(
    record: ProducerRecord<K, V>,
    @JvmField protected val pipeline: SendPipeline<K, V>,
) : InFlightRecord<K, V>(record) {
    final override val tracker: SendTracker<K, V> get() = pipeline.tracker

    /** The metadata or the exception; written before the queue's push, whose compare-and-set publishes it to the drain. */
    @JvmField protected var outcome: Any? = null

    final override fun succeeded(metadata: RecordMetadata) {
        outcome = metadata
        handBack()
    }

    final override fun failed(exception: Exception) {
        outcome = exception
        handBack()
    }

    /** Queues this record where its caller's completion runs; called once, with [outcome] set. */
    protected abstract fun handBack()
}

/** Resumes a suspended `send`, through the pipeline's resume queue, so that Kafka's I/O thread only queues it. */
internal class ResumingRecord<K, V>(
    record: ProducerRecord<K, V>,
    pipeline: SendPipeline<K, V>,
    private val continuation: CancellableContinuation<RecordMetadata>,
) : HandedBackRecord<K, V>(record, pipeline) {
    /**
     * The thread inside `Producer.send` for this record. A callback on that same thread (an error
     * found in `send`, or a producer that completes at once) resumes directly: the caller has not
     * suspended yet, so nothing is dispatched. Not volatile: only the sending thread writes it, so
     * any other thread reads either null or the sending thread, never itself.
     */
    @JvmField var sendingThread: Thread? = null

    override fun handBack() {
        if (sendingThread === Thread.currentThread()) resumeDispatched() else pipeline.resume(this)
    }

    /**
     * On the resume drain, a thread of `Dispatchers.Default`. A caller that runs on `Dispatchers.Default`
     * itself may be resumed in place (read from its context here, not kept in a field: every pending
     * send holds this object).
     */
    @OptIn(ExperimentalCoroutinesApi::class)
    override fun runQueued() {
        if (continuation.context[ContinuationInterceptor] !== Dispatchers.Default || !pipeline.mayResumeInPlace()) return resumeDispatched()
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

/** Completes a `sendAsync` future among the pipeline's deliveries, so that its dependent stages run in Kafka's callback order, off the I/O thread. */
internal class FutureRecord<K, V>(
    record: ProducerRecord<K, V>,
    pipeline: SendPipeline<K, V>,
    private val result: CompletableFuture<RecordMetadata>,
) : HandedBackRecord<K, V>(record, pipeline) {
    override fun handBack() {
        pipeline.deliver(this)
    }

    override fun runQueued() {
        val value = outcome
        if (value is RecordMetadata) result.complete(value) else result.completeExceptionally(value as Exception)
    }
}

/**
 * Hands the failure of an `offer` to the error handler, among the pipeline's deliveries. Inside a
 * transaction ([inTransaction]) a record that fails because the transaction was aborted is not
 * reported: the transaction's caller has the cause.
 */
internal class ReportingRecord<K, V>(
    record: ProducerRecord<K, V>,
    private val pipeline: SendPipeline<K, V>,
    private val inTransaction: Boolean,
) : InFlightRecord<K, V>(record) {
    override val tracker: SendTracker<K, V> get() = pipeline.tracker

    private var failure: Exception? = null

    override fun succeeded(metadata: RecordMetadata) = Unit

    override fun failed(exception: Exception) {
        if (inTransaction && exception is TransactionAbortedException) return
        failure = exception
        pipeline.deliver(this)
    }

    override fun runQueued() {
        pipeline.handle(record, failure!!)
    }
}

/** The window of a batch or flow: where a [SlotRecord] puts its outcome. */
internal interface RecordSlots<K, V> {
    /** The pipeline's tracker, for the records of this window. */
    val tracker: SendTracker<K, V>

    /** Stores [result] (metadata or exception) as [inFlight]'s outcome and wakes the sender if it waits for it. */
    fun complete(
        inFlight: SlotRecord<K, V>,
        result: Any,
    )
}

/** A record of a batch or flow: its outcome goes to its slot in the [window], which the sender reads in input order. */
internal class SlotRecord<K, V>(
    record: ProducerRecord<K, V>,
    private val window: RecordSlots<K, V>,
) : InFlightRecord<K, V>(record) {
    override val tracker: SendTracker<K, V> get() = window.tracker

    /** The metadata or the exception, once the record completed; written by the callback's thread, read by the sender. */
    @Volatile @JvmField
    var result: Any? = null

    override fun succeeded(metadata: RecordMetadata) = window.complete(this, metadata)

    override fun failed(exception: Exception) = window.complete(this, exception)
}
