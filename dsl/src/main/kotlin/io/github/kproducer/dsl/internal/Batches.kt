package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.SendResult
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.flow
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import java.util.AbstractList
import java.util.concurrent.atomic.AtomicReference
import java.util.concurrent.atomic.AtomicReferenceArray
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.coroutineContext

/**
 * `sendAll` and the sending flows. Records are handed to Kafka strictly in input order (so each
 * partition receives them in that order) while their acknowledgements are awaited together, through
 * a [Window] of at most `maxInFlightRecords` records handed over and not yet taken out. One
 * coroutine does it all: no channel, no extra coroutine, one callback object per record. A full
 * window, a slow collector or a full Kafka buffer (the record then waits in its lane) make the
 * sender suspend; no thread of the caller blocks.
 */
internal class Batches<K, V>(
    private val producer: DefaultKProducer<K, V>,
) {
    private val maxInFlight get() = producer.behaviour.maxInFlightRecords

    suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        val list = records as? List<ProducerRecord<K, V>> ?: records.toList()
        val results = MetadataList(list)
        var index = 0
        val window = Window(minOf(maxInFlight, maxOf(1, list.size)))
        // Fail-fast: after a failure no further record is handed over; the ones in flight are awaited, then it is thrown.
        pump(list, window, failFast = true) { _, result -> if (result is RecordMetadata) results.store(index++, result) }
        window.failure.get()?.let { throw it }
        return results
    }

    suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>> {
        val list = records as? List<ProducerRecord<K, V>> ?: records.toList()
        val results = ArrayList<SendResult<K, V>>(list.size)
        pump(list, Window(minOf(maxInFlight, maxOf(1, list.size))), failFast = false) { record, result -> results += settled(record, result) }
        return results
    }

    fun flow(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
    ): Flow<RecordMetadata> =
        flow {
            check()
            val window = Window(maxInFlight)
            val context = coroutineContext
            // Fail-fast: records are emitted in order up to the first failure, which fails the flow.
            records.collect { record ->
                window.makeRoom { _, result -> if (result is Exception) throw result else emit(result as RecordMetadata) }
                window.failure.get()?.let { throw it }
                window.handOver(record, context)
            }
            window.drain { _, result -> if (result is Exception) throw result else emit(result as RecordMetadata) }
        }

    fun settledFlow(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
    ): Flow<SendResult<K, V>> =
        flow {
            check()
            val window = Window(maxInFlight)
            val output: FlowCollector<SendResult<K, V>> = this
            val context = coroutineContext
            records.collect { record ->
                window.makeRoom { r, result -> output.emit(settled(r, result)) }
                window.handOver(record, context)
            }
            window.drain { r, result -> output.emit(settled(r, result)) }
        }

    private fun settled(
        record: ProducerRecord<K, V>,
        result: Any,
    ): SendResult<K, V> = if (result is RecordMetadata) SendResult(record, result, null) else SendResult(record, null, result as Exception)

    /** Hands [records] over in order through [window], passing each outcome to [take] in input order. */
    private suspend inline fun pump(
        records: List<ProducerRecord<K, V>>,
        window: Window,
        failFast: Boolean,
        take: (ProducerRecord<K, V>, Any) -> Unit,
    ) {
        val context = coroutineContext
        for (record in records) {
            window.makeRoom { r, result -> take(r, result) }
            if (failFast && window.failure.get() != null) break
            window.handOver(record, context)
        }
        window.drain { r, result -> take(r, result) }
    }

    /**
     * A ring of the records handed over and not yet taken out, in input order. Only the sending
     * coroutine touches [head], [tail] and [records]; callbacks (on Kafka's I/O thread) write a slot's
     * result and, when the sender waits for exactly that slot, signal it.
     */
    private inner class Window(
        limit: Int,
    ) {
        /** At most `limit` records are in the window; the ring is the next power of two, indexed by a mask. */
        private val capacity = limit
        private val mask = Integer.highestOneBit(maxOf(1, limit - 1)) * 2 - 1
        private val records = arrayOfNulls<ProducerRecord<K, V>>(mask + 1)

        /** Per slot: the metadata or the exception, once the record completed. */
        private val results = AtomicReferenceArray<Any?>(mask + 1)
        private var head = 0L
        private var tail = 0L

        /** The sequence number the sender waits for, or -1. */
        @Volatile private var awaited = -1L
        private val signal = Channel<Unit>(Channel.CONFLATED)

        /** The first failure, in time, of any record. */
        val failure = AtomicReference<Exception?>()

        /** The clock, read once per [CLOCK_EVERY] hand-overs: a lane's readiness lasts minutes, a read costs ~25 ns. */
        private var now = System.nanoTime()

        private fun slot(sequence: Long): Int = (sequence and mask.toLong()).toInt()

        /**
         * Puts [record] in the window and hands it to Kafka: directly (no suspension, no allocation but
         * the callback) when that cannot block, otherwise in its topic's lane.
         */
        suspend inline fun handOver(
            record: ProducerRecord<K, V>,
            context: CoroutineContext,
        ) {
            val waiting = handOverDirect(record, context)
            if (waiting != null) handOverInLane(waiting)
        }

        /** Returns the record's callback when it must go through its lane, `null` when it was handed over (or failed at once). */
        fun handOverDirect(
            record: ProducerRecord<K, V>,
            context: CoroutineContext,
        ): SlotCallback? {
            val sequence = tail++
            records[slot(sequence)] = record
            // No fence needed: only this coroutine reads the slot before the callback writes it.
            results.lazySet(slot(sequence), null)
            val callback = SlotCallback(record, sequence)
            if (sequence and CLOCK_EVERY - 1 == 0L) now = System.nanoTime()
            return try {
                if (producer.handOverDirect(record, callback, context, now)) null else callback
            } catch (e: Exception) {
                complete(sequence, e)
                null
            }
        }

        suspend fun handOverInLane(callback: SlotCallback) {
            try {
                producer.handOverInLane(callback.record, callback)
            } catch (e: Exception) {
                complete(callback.sequence, e)
            }
        }

        fun complete(
            sequence: Long,
            result: Any,
        ) {
            if (result is Exception) failure.compareAndSet(null, result)
            results.set(slot(sequence), result)
            if (awaited == sequence) signal.trySend(Unit)
        }

        /** Takes out every record completed in order at the head, then, if the window is full, waits for the head. */
        suspend inline fun makeRoom(take: (ProducerRecord<K, V>, Any) -> Unit) {
            while (head < tail && results.get(slot(head)) != null) takeHead(take)
            if (tail - head >= capacity) {
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
            val record = records[slot]!!
            val result = results.get(slot)!!
            records[slot] = null
            take(record, result)
        }

        suspend fun awaitHead() {
            while (true) {
                now = System.nanoTime()
                awaited = head
                if (results.get(slot(head)) != null) break
                signal.receive()
            }
            awaited = -1
        }

        inner class SlotCallback(
            val record: ProducerRecord<K, V>,
            val sequence: Long,
        ) : TrackedCallback<K, V>(producer.tracker, record) {
            override fun succeeded(metadata: RecordMetadata) = complete(sequence, metadata)

            override fun failed(exception: Exception) = complete(sequence, exception)
        }
    }

    private companion object {
        /** A power of two. */
        const val CLOCK_EVERY = 16L
    }

    /**
     * The metadata of a `sendAll`, kept in primitive arrays: a million RecordMetadata objects kept
     * alive until the call returns would cost the garbage collector more than the send. Each `get`
     * builds an equal RecordMetadata.
     */
    private class MetadataList<K, V>(
        private val records: List<ProducerRecord<K, V>>,
    ) : AbstractList<RecordMetadata>(),
        RandomAccess {
        private var count = 0
        private val partitions = IntArray(records.size)
        private val offsets = LongArray(records.size)
        private val timestamps = LongArray(records.size)
        private val keySizes = IntArray(records.size)
        private val valueSizes = IntArray(records.size)

        fun store(
            index: Int,
            metadata: RecordMetadata,
        ) {
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
            val partition = TopicPartition(records[index].topic(), partitions[index])
            return RecordMetadata(partition, offsets[index], 0, timestamps[index], keySizes[index], valueSizes[index])
        }
    }
}
