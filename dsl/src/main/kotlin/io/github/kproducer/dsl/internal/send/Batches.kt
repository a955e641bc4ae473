package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.SendResult
import io.github.kproducer.dsl.internal.lifecycle.ProducerState
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import java.util.AbstractList
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.coroutineContext

/**
 * `sendAll` and the sending flows. Records are handed to Kafka strictly in input order (so each
 * partition receives them in that order) while their acknowledgements are awaited together, through
 * a [Window] of at most `maxInFlightRecords` records handed over and not yet taken out. One
 * coroutine does it all: no channel per record, no extra coroutine, one callback object per record.
 * A record that cannot go to Kafka at once waits in its topic's lane ([HandOff]) without holding the
 * sender; a full window or a slow collector make the sender suspend. No thread of the caller blocks.
 *
 * Cancelling the caller withdraws the records still queued in lanes (they are not sent); records
 * Kafka has are delivered or fail, unheard. When the upstream of a flow throws, or the producer
 * closes under a flow, the outcome of every record already handed over is emitted before the
 * exception is rethrown, so no failure goes unseen.
 */
internal class Batches<K, V>(
    private val pipeline: SendPipeline<K, V>,
    private val state: ProducerState,
) {
    private val maxInFlight get() = pipeline.maxInFlightRecords

    /** Sends [records] in order and returns their metadata in input order; the first failure is thrown once every record handed over has ended. */
    suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        state.checkOpen()
        val list = records as? List<ProducerRecord<K, V>> ?: records.toList()
        val results = MetadataList(list.size)
        var index = 0
        val window = Window(minOf(maxInFlight, maxOf(1, list.size)), coroutineContext)
        // Fail-fast: after a failure no further record is handed over; the ones in flight are awaited, then it is thrown.
        window.guarded {
            for (record in list) {
                window.makeRoom { _, result -> if (result is RecordMetadata) results.store(index++, result) }
                if (window.failure.get() != null) break
                window.handOver(record)
            }
            window.drain { _, result -> if (result is RecordMetadata) results.store(index++, result) }
        }
        window.failure.get()?.let { throw it }
        return results
    }

    /** Sends [records] in order and returns every record's outcome in input order; throws only for cancellation. */
    suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>> {
        state.checkOpen()
        val list = records as? List<ProducerRecord<K, V>> ?: records.toList()
        val results = ArrayList<SendResult<K, V>>(list.size)
        val window = Window(minOf(maxInFlight, maxOf(1, list.size)), coroutineContext)
        // Settled: every record gets its outcome; one that the closing producer refused fails with IllegalStateException.
        window.guarded {
            for (record in list) {
                window.makeRoom { r, result -> results += settled(r, result) }
                window.handOver(record)
            }
            window.drain { r, result -> results += settled(r, result) }
        }
        return results
    }

    /** Sends the records of [records] as they come and emits their metadata in order; [check] runs first, at collection. */
    fun flow(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
    ): Flow<RecordMetadata> =
        flow {
            check()
            state.checkOpen()
            val window = Window(maxInFlight, coroutineContext)
            // Fail-fast: records are emitted in order up to the first failure, which fails the flow.
            var recordFailed: Exception? = null
            window.collecting(
                upstream = {
                    records.collect { record ->
                        // Inlined, not a local suspend function: a call of one would allocate its continuation for every record.
                        window.makeRoom { _, result ->
                            if (result is Exception) {
                                window.stopEmitting()
                                recordFailed = result
                                throw result
                            }
                            window.emitting { emit(result as RecordMetadata) }
                        }
                        window.failure.get()?.let {
                            recordFailed = it
                            throw it
                        }
                        state.checkOpen()
                        window.handOver(record)
                    }
                },
                drain = {
                    window.drain { _, result ->
                        if (result is Exception) {
                            window.stopEmitting()
                            recordFailed = result
                            throw result
                        }
                        window.emitting { emit(result as RecordMetadata) }
                    }
                },
                drainAfterFailure = { failure ->
                    // Emit what succeeded, in order, up to the first record that failed; that record's failure rides on the exception.
                    var recordFailure: Exception? = null
                    window.drain { _, result ->
                        if (result is Exception) {
                            if (recordFailure == null && result !== failure) recordFailure = result
                            window.stopEmitting()
                        } else if (window.emits) {
                            window.emitting { emit(result as RecordMetadata) }
                        }
                    }
                    // A failure of the upstream (or a close) carries the first record failure; a record's own failure is Kafka's, left as is.
                    if (failure !== recordFailed) recordFailure?.let { failure.addSuppressed(it) }
                },
            )
        }

    /** Sends the records of [records] as they come and emits every record's outcome in order; [check] runs first, at collection. */
    fun settledFlow(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
    ): Flow<SendResult<K, V>> =
        flow {
            check()
            state.checkOpen()
            val window = Window(maxInFlight, coroutineContext)
            window.collecting(
                upstream = {
                    records.collect { record ->
                        window.makeRoom { r, result -> window.emitting { emit(settled(r, result)) } }
                        // An endless upstream must stop when the producer closes: end with the outcomes so far, then say why.
                        state.checkOpen()
                        window.handOver(record)
                    }
                },
                drain = { window.drain { r, result -> window.emitting { emit(settled(r, result)) } } },
                drainAfterFailure = { window.drain { r, result -> window.emitting { emit(settled(r, result)) } } },
            )
        }

    private companion object {
        /** The ring's first size: a short flow allocates no more. */
        const val INITIAL_SLOTS = 1024

        fun ceilingPowerOfTwo(n: Int): Int = if (n <= 1) 1 else Integer.highestOneBit(n - 1).let { if (it >= 1 shl 30) 1 shl 30 else it * 2 }
    }

    private fun settled(
        record: ProducerRecord<K, V>,
        result: Any,
    ): SendResult<K, V> = if (result is RecordMetadata) SendResult(record, result, null) else SendResult(record, null, result as Exception)

    /**
     * A ring of the records handed over and not yet taken out, in input order. Only the sending
     * coroutine touches [head], [tail] and [slots]; callbacks (on Kafka's I/O thread, or a lane's)
     * write their own [SlotRecord.result] and, when the sender waits for exactly that record,
     * signal it. The ring starts small and doubles when it is full, up to `limit` records, so a short
     * flow allocates little and a long one is not capped below `limit`; growing is safe because no
     * callback touches the ring.
     */
    private inner class Window(
        limit: Int,
        context: CoroutineContext,
    ) : RecordSlots<K, V> {
        /** At most `limit` records are in the window. */
        private val capacity = limit

        /**
         * How many records the window holds now: [capacity], or, once a record had to wait in a lane while
         * Kafka's buffer was short of room ([HandOff.memoryShort]), the number it held then.
         * Records beyond Kafka's `buffer.memory` then do not pile up in lanes (each holding its record) up
         * to [capacity]: the window hands one over for each one taken out, as `KafkaProducer.send` would
         * block until a batch frees memory. The first record that goes to Kafka directly lifts it again.
         * Records that wait for a topic's metadata do not set it: in an outage they are bounded by the
         * count alone, and all fail by their own deadlines.
         */
        private var room = limit
        private var slots = arrayOfNulls<SlotRecord<K, V>>(minOf(ceilingPowerOfTwo(limit), INITIAL_SLOTS))
        private var mask = slots.size - 1
        private val context = context
        private var head = 0L
        private var tail = 0L

        /** The record the sender waits for, or null. */
        @Volatile private var awaited: SlotRecord<K, V>? = null
        private val signal = Channel<Unit>(Channel.CONFLATED)

        /** An unconfined sender would resume on the thread that signals it: Kafka's I/O thread. It is signalled from `Dispatchers.Default` instead. */
        private val unconfined = context.isUnconfined()

        /** The first failure, in time, of any record. */
        val failure = AtomicReference<Exception?>()

        /** Whether the downstream collector threw: nothing may be emitted after that. */
        private var downstreamFailed = false

        /** Whether outcomes are still emitted while draining after a failure. */
        var emits = true
            private set

        private fun slot(sequence: Long): Int = (sequence and mask.toLong()).toInt()

        /** Puts [record] in the window and hands it to Kafka: directly when that cannot block, otherwise queued in its topic's lane. */
        fun handOver(record: ProducerRecord<K, V>) {
            if (tail - head == slots.size.toLong()) grow()
            val callback = SlotRecord(record, this)
            slots[slot(tail++)] = callback
            try {
                state.checkOpen()
                if (pipeline.submit(record, callback, context)) {
                    room = capacity
                } else if (room == capacity && pipeline.memoryShort()) {
                    // Queued for memory, or behind records that wait for it. Not whether the buffer is short at this instant:
                    // a batch may have just freed it while the lane still holds records (it let 1,087 records in flight under load).
                    room = maxOf(1, (tail - head).toInt())
                }
            } catch (e: Exception) {
                complete(callback, e)
            }
        }

        /** Doubles the ring (only when it is full and below `capacity`: [makeRoom] waits at `capacity`). */
        private fun grow() {
            val bigger = arrayOfNulls<SlotRecord<K, V>>(slots.size * 2)
            val biggerMask = bigger.size - 1
            var sequence = head
            while (sequence < tail) {
                bigger[(sequence and biggerMask.toLong()).toInt()] = slots[slot(sequence)]
                sequence++
            }
            slots = bigger
            mask = biggerMask
        }

        override val tracker: SendTracker<K, V> get() = pipeline.tracker

        override fun complete(
            inFlight: SlotRecord<K, V>,
            result: Any,
        ) {
            if (result is Exception) failure.compareAndSet(null, result)
            inFlight.result = result
            if (awaited === inFlight) {
                if (unconfined) Dispatchers.Default.dispatch(EmptyCoroutineContext) { signal.trySend(Unit) } else signal.trySend(Unit)
            }
        }

        /** Takes out every record completed in order at the head, then, if the window is full, waits for the head. */
        suspend inline fun makeRoom(take: (ProducerRecord<K, V>, Any) -> Unit) {
            while (head < tail && slots[slot(head)]!!.result != null) takeHead(take)
            if (tail - head >= room) {
                awaitHead()
                takeHead(take)
            }
        }

        /** Waits for every record still in the window and takes them out in order. */
        suspend inline fun drain(take: (ProducerRecord<K, V>, Any) -> Unit) {
            while (head < tail) {
                awaitHead()
                takeHead(take)
            }
        }

        /** Takes the head out and passes its record and outcome (metadata or exception) to [take]. */
        inline fun takeHead(take: (ProducerRecord<K, V>, Any) -> Unit) {
            val slot = slot(head++)
            val callback = slots[slot]!!
            slots[slot] = null
            take(callback.record, callback.result!!)
        }

        suspend fun awaitHead() {
            val callback = slots[slot(head)]!!
            while (true) {
                awaited = callback
                if (callback.result != null) break
                signal.receive()
            }
            awaited = null
        }

        /** Emits through [emit], remembering when the downstream threw. */
        suspend inline fun emitting(emit: () -> Unit) {
            try {
                emit()
            } catch (e: Throwable) {
                downstreamFailed = true
                throw e
            }
        }

        fun stopEmitting() {
            emits = false
        }

        /** Runs a batch [body]; if the caller is cancelled, the records still queued in lanes are withdrawn. */
        suspend inline fun guarded(body: () -> Unit) {
            try {
                body()
            } catch (e: CancellationException) {
                withdrawQueued()
                throw e
            }
        }

        /**
         * Runs a flow: [upstream] collects and hands over, then [drain] takes out the rest. When the
         * upstream fails (or the producer closes under it), [drainAfterFailure] emits the outcomes of
         * the records already handed over before the exception is rethrown; when the downstream
         * failed or the collector was cancelled, nothing more is emitted and queued records are
         * withdrawn.
         */
        suspend fun collecting(
            upstream: suspend () -> Unit,
            drain: suspend () -> Unit,
            drainAfterFailure: suspend (Throwable) -> Unit,
        ) {
            try {
                upstream()
            } catch (e: Throwable) {
                if (e is CancellationException || downstreamFailed) {
                    withdrawQueued()
                    throw e
                }
                try {
                    drainAfterFailure(e)
                } catch (late: Throwable) {
                    if (late is CancellationException) withdrawQueued()
                    if (late !== e) e.addSuppressed(late)
                }
                throw e
            }
            try {
                drain()
            } catch (e: CancellationException) {
                withdrawQueued()
                throw e
            }
        }

        /** Takes back the records of this window that still wait in a lane. */
        fun withdrawQueued() {
            var sequence = head
            while (sequence < tail) {
                slots[slot(sequence)]?.let { pipeline.withdraw(it) }
                sequence++
            }
        }
    }

    /**
     * The metadata of a `sendAll`, kept in primitive arrays: a million RecordMetadata objects kept
     * alive until the call returns would cost the garbage collector more than the send. It keeps no
     * record (their payloads can go once sent), only each one's topic name. Each `get` builds an
     * equal RecordMetadata.
     */
    private class MetadataList(
        capacity: Int,
    ) : AbstractList<RecordMetadata>(),
        RandomAccess {
        private var count = 0
        private val topics = arrayOfNulls<String>(capacity)
        private val partitions = IntArray(capacity)
        private val offsets = LongArray(capacity)
        private val timestamps = LongArray(capacity)
        private val keySizes = IntArray(capacity)
        private val valueSizes = IntArray(capacity)

        fun store(
            index: Int,
            metadata: RecordMetadata,
        ) {
            topics[index] = metadata.topic()
            partitions[index] = metadata.partition()
            offsets[index] = metadata.offset()
            timestamps[index] = metadata.timestamp()
            keySizes[index] = metadata.serializedKeySize()
            valueSizes[index] = metadata.serializedValueSize()
            count = maxOf(count, index + 1)
        }

        override val size: Int get() = count

        override fun get(index: Int): RecordMetadata {
            if (index !in 0 until count) throw IndexOutOfBoundsException("Index $index, size $count")
            val partition = TopicPartition(topics[index], partitions[index])
            return RecordMetadata(partition, offsets[index], 0, timestamps[index], keySizes[index], valueSizes[index])
        }
    }
}
