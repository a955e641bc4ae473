package io.github.kproducer.dsl.internal.send

import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.TimeoutException
import java.util.BitSet
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicIntegerArray

/**
 * Keeps an idempotent producer's first write to each partition alone in flight, so that no record is
 * lost on a partition the producer has not written to yet (KAFKA-15591, also KAFKA-14312 and
 * KAFKA-19880; fixed in the broker by apache/kafka#23234, in no broker up to 4.4).
 *
 * The bug: a broker that holds no state for a producer on a partition (a new partition, or one this
 * producer id never wrote to) accepts any first sequence number. With two requests of the producer in
 * flight to such a partition, when the first fails retriably (`NOT_LEADER_OR_FOLLOWER` from a leader
 * that has not opened a new partition yet) and the second is appended, every retry of the first is
 * refused with `OUT_OF_ORDER_SEQUENCE_NUMBER` until `delivery.timeout.ms`: its records fail, and the
 * partition's order is broken.
 *
 * The defence: until a partition has acknowledged one record of this producer, it has at most one
 * record, so at most one request, in flight. The first record (the *probe*) goes to Kafka at once; the
 * records behind it for the same partition wait in the partition's lane ([HandOff]) until the probe is
 * acknowledged (then they go, in order: the broker now holds the producer's state and refuses a
 * reordered request, which the client retries in order) or fails (then the next one is the probe).
 * When records have waited 50 ms, Kafka is asked to send what it holds at once rather than after
 * `linger.ms` (a flush that does not wait), so that a long linger does not hold them. So the
 * cost is at most one round trip per partition per producer, paid only by records that come while the
 * probe is out; once every partition of a topic has acknowledged a record, the guard costs one field
 * read per record.
 *
 * To know a record's partition before Kafka picks it, the guard computes it as Kafka will
 * ([ProducerInternals.partitionOf]): an explicit partition, the hash of the serialized key, or the
 * custom partitioner's answer (the guard calls the partitioner itself and hands Kafka the record with
 * that partition, so the partitioner runs once per record). A record without a key, which Kafka's
 * built-in partitioner would place on a partition of its choice, gets a partition from the guard
 * while the topic has partitions not written to yet: a partition not written to yet (it becomes that
 * partition's probe), else one already written to.
 *
 * A topic's partitions count as not written to again when the client forgets the topic's metadata
 * (after `metadata.max.idle.ms` without sends, or a rebootstrap) and when the producer id changes:
 * the broker keeps a producer's state for `producer.id.expiration.ms` (one day by default) after its
 * last write, and a new producer id has no state anywhere.
 *
 * Thread-safe. Decisions read a partition's state without a lock; changes of state (a probe starts
 * or ends, a topic grows or is forgotten) happen under the topic's monitor, on which lanes wait.
 */
internal class FirstWriteGuard<K, V>(
    private val client: ProducerInternals<K, V>,
    private val maxBlockMs: Long,
) {
    private val topics = ConcurrentHashMap<String, TopicWrites>()

    /** The topic of the last decision: most producers send to one topic, which then costs no map lookup. */
    @Volatile private var recent: TopicWrites? = null

    @Volatile private var closing = false

    /** The producer id the partitions were written with; -1 before the client has one. */
    @Volatile private var producerId = -1L

    /**
     * The partition [callback]'s record goes to if the guard must decide on it, or -1 when the guard
     * has nothing to do and Kafka places the record as usual: every partition of the topic has
     * acknowledged a record of this producer, and no partition's lane still holds records
     * ([lanesHold] false; while one does, a record for that partition must queue behind them, so its
     * partition is still computed). Sets the callback's target (and, for a partition Kafka would not
     * pick by itself, marks the record to be sent with it). [count] is the topic's partition count in
     * the client's metadata. Next: the caller keeps the partition's lane order, then calls [admit].
     */
    fun route(
        callback: InFlightRecord<K, V>,
        count: Int,
        lanesHold: Boolean,
    ): Int {
        val record = callback.record
        val writes = writesOf(record.topic(), count)
        if ((writes.allWritten && !lanesHold) || writes.size == 0) return -1
        // Placed before (it waited in a lane): a partitioner must not be asked twice for one record.
        if (callback.target >= 0) return callback.target.takeIf { it < writes.size } ?: -1
        val computed = client.partitionOf(record, count)
        // A serializer or partitioner that fails: the record goes to Kafka as it is, which fails it the same way.
        if (computed == ProducerInternals.UNKNOWN) return -1
        val target =
            if (computed >= 0) {
                if (computed >= writes.size) return -1
                callback.assignTarget = record.partition() == null && client.customPartitioner
                computed
            } else {
                callback.assignTarget = true
                writes.keylessTarget()
            }
        callback.target = target
        return target
    }

    /**
     * Admits [callback]'s record to its target partition: [PASS] when the partition has acknowledged a
     * record already, [PROBE] when the record is now the partition's first write (the caller must hand
     * it to Kafka at once, or [release] it), [HOLD] while another record is the partition's probe.
     */
    fun admit(callback: InFlightRecord<K, V>): Int {
        val writes = writesOf(callback.record.topic(), -1)
        val target = callback.target
        if (writes.state(target) == WRITTEN) return PASS
        synchronized(writes) {
            return when (writes.state(target)) {
                WRITTEN -> {
                    PASS
                }

                PROBING -> {
                    HOLD
                }

                else -> {
                    writes.setState(target, PROBING)
                    callback.firstWrite = writes
                    PROBE
                }
            }
        }
    }

    /**
     * Blocks a lane's thread until [callback]'s target partition has no probe out (its probe was
     * acknowledged or failed), while asking Kafka to send the probe at once. Returns `false` when the
     * record's deadline passed first, or the producer is closing.
     */
    fun awaitTurn(callback: InFlightRecord<K, V>): Boolean {
        val writes = writesOf(callback.record.topic(), -1)
        val target = callback.target
        // Most probes are acknowledged within a linger and a round trip; only a longer wait makes Kafka send at once.
        val nudgeAt = System.nanoTime() + NUDGE_AFTER_NANOS
        var nudged = false
        try {
            synchronized(writes) {
                while (writes.state(target) == PROBING) {
                    if (closing) return false
                    val now = System.nanoTime()
                    if (now - callback.deadline >= 0) return false
                    if (!nudged && now - nudgeAt >= 0) {
                        client.beginSendNow()
                        nudged = true
                    }
                    val until = if (nudged) callback.deadline else minOf(callback.deadline, nudgeAt)
                    (writes as Object).wait(TimeUnit.NANOSECONDS.toMillis(until - now).coerceAtLeast(1))
                }
                return !closing
            }
        } finally {
            if (nudged) client.endSendNow()
        }
    }

    /** Gives up the probe of a record that did not reach Kafka after all (Kafka threw, or the watchdog took it back). */
    fun release(callback: InFlightRecord<K, V>) {
        val writes = callback.firstWrite ?: return
        callback.firstWrite = null
        writes.probeEnded(callback.target, acknowledged = false)
    }

    /** The producer is closing: lanes waiting for a probe stop waiting. */
    fun close() {
        closing = true
        for (writes in topics.values) synchronized(writes) { (writes as Object).notifyAll() }
    }

    /** The client forgot [topic]'s metadata: the broker may have forgotten this producer too, so every partition is probed again. */
    fun forget(topic: String) {
        topics[topic]?.forgetWrites()
    }

    /** Called on every watchdog tick: a new producer id has no state on any broker, so every partition is probed again. */
    fun checkProducerId() {
        val current = client.producerId()
        if (current < 0 || current == producerId) return
        val previous = producerId
        producerId = current
        if (previous >= 0) topics.values.forEach { it.forgetWrites() }
    }

    /** Kafka's `TimeoutException` for a record whose partition's first write was not acknowledged within `max.block.ms`. */
    fun turnTimeout(
        record: ProducerRecord<K, V>,
        partition: Int,
    ): TimeoutException =
        TimeoutException(
            "Partition $partition of topic ${record.topic()} $TURN_TIMEOUT_MARK ($maxBlockMs ms). Until a partition has acknowledged one record " +
                "of an idempotent producer, kproducer sends it no other (a broker without the producer's state can lose records sent " +
                "behind a first one that fails: KAFKA-15591), and this record waited for that first one. The partition's leader may be " +
                "down or unreachable; the record was not sent.",
        )

    private fun writesOf(
        topic: String,
        count: Int,
    ): TopicWrites {
        val last = recent
        val writes = if (last != null && last.topic == topic) last else topics.computeIfAbsent(topic) { TopicWrites(it, maxOf(count, 0)) }
        if (count > writes.size) return grown(writes, count)
        recent = writes
        return writes
    }

    /** The topic has [count] partitions now: the new ones are not written to. */
    private fun grown(
        writes: TopicWrites,
        count: Int,
    ): TopicWrites {
        synchronized(writes) { writes.grow(count) }
        recent = writes
        return writes
    }

    /** The first-write state of each partition of one topic. */
    inner class TopicWrites internal constructor(
        val topic: String,
        initialSize: Int,
    ) {
        @Volatile private var states = AtomicIntegerArray(initialSize)

        /** How many partitions [states] covers. */
        val size: Int get() = states.length()

        /** Every partition has acknowledged a record: the guard has nothing more to do for this topic. */
        @Volatile var allWritten = false
            private set

        /** The partition that records without a key go to while the topic still has partitions not written to. */
        private var sticky = -1

        fun state(partition: Int): Int = states.get(partition)

        /** Under this monitor. */
        fun setState(
            partition: Int,
            state: Int,
        ) {
            states.set(partition, state)
        }

        /** Under this monitor. */
        fun grow(count: Int) {
            val old = states
            if (count <= old.length()) return
            val grown = AtomicIntegerArray(count)
            for (i in 0 until old.length()) grown.set(i, old.get(i))
            states = grown
            allWritten = false
        }

        fun probeEnded(
            partition: Int,
            acknowledged: Boolean,
        ) {
            synchronized(this) {
                if (states.get(partition) == PROBING) states.set(partition, if (acknowledged) WRITTEN else UNWRITTEN)
                if (acknowledged) allWritten = (0 until size).all { states.get(it) == WRITTEN }
                (this as Object).notifyAll()
            }
        }

        fun forgetWrites() {
            synchronized(this) {
                for (i in 0 until size) if (states.get(i) == WRITTEN) states.set(i, UNWRITTEN)
                allWritten = false
                sticky = -1
            }
        }

        /**
         * A partition for a record without a key: one not written to yet, which its record will probe (one
         * with a leader first); else the one such records went to before, or another written to; else
         * one whose probe is out, to wait behind.
         */
        fun keylessTarget(): Int {
            synchronized(this) {
                val count = size
                val stuck = sticky
                if (stuck in 0 until count && states.get(stuck) == WRITTEN && none(UNWRITTEN)) return stuck
                var written = -1
                var anyUnwritten = false
                for (i in 0 until count) {
                    when (states.get(i)) {
                        UNWRITTEN -> anyUnwritten = true
                        WRITTEN -> if (written < 0) written = i
                    }
                }
                if (anyUnwritten) {
                    // Leaders are looked up only while a partition waits for its first write.
                    val led = withLeaders(count)
                    val unwritten = (0 until count).filter { states.get(it) == UNWRITTEN }.let { all -> all.firstOrNull { led[it] } ?: all.first() }
                    if (led[unwritten] || written < 0) return unwritten
                }
                if (written >= 0) {
                    sticky = written
                    return written
                }
                // Every partition's probe is out: the record waits behind the first one.
                return (0 until count).firstOrNull { states.get(it) == PROBING } ?: 0
            }
        }

        private fun none(state: Int): Boolean = (0 until size).none { states.get(it) == state }

        private fun withLeaders(count: Int): BitSet {
            val led = BitSet(count)
            runCatching { client.cluster().availablePartitionsForTopic(topic).forEach { led.set(it.partition()) } }
            if (led.isEmpty) led.set(0, count)
            return led
        }
    }

    companion object {
        /** The record may go: its partition has acknowledged a record of this producer. */
        const val PASS = 0

        /** The record goes as its partition's first write; nothing else goes to the partition until it ends. */
        const val PROBE = 1

        /** The record must wait in its partition's lane until the probe out there ends. */
        const val HOLD = 2

        /** What [turnTimeout]'s message says, for [SendTracker]'s explanation. */
        const val TURN_TIMEOUT_MARK = "did not acknowledge this producer's first record to it within maxBlock"

        /** How long a record waits for its partition's probe before Kafka is asked to send what it holds at once. */
        private val NUDGE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(50)

        private const val UNWRITTEN = 0
        private const val PROBING = 1
        private const val WRITTEN = 2
    }
}
