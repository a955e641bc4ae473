package io.github.kproducer.dsl.internal.send

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.future.await
import org.apache.kafka.clients.producer.BufferExhaustedException
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.ApiException
import org.apache.kafka.common.errors.TimeoutException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.EmptyCoroutineContext

/**
 * The one place where a producer's records are handed to Kafka, built so that no caller's thread
 * waits inside Kafka: not for metadata, not for buffer memory, not during an outage.
 *
 * `KafkaProducer.send` waits on the calling thread, up to `max.block.ms`, when the client's metadata
 * lacks the record's topic or partition (a topic used for the first time, or every topic after the
 * client rebootstrapped during an outage), or when its buffer pool has no room for a new batch.
 * Each record takes one of two ways:
 *
 * - **Direct** ([tryDirect]): when [ClientProbe] reads in the client's own state that the topic and
 *   partition are known and the buffer has room, and no earlier record of the topic is still queued,
 *   `Producer.send` runs on the caller's thread, as cheaply as a plain `send`. Because the answer is
 *   read from the client on every call, an outage revokes it at once. The instant between the probe
 *   and Kafka's own check is covered by [SendWatchdog]: a direct send that meets a wait anyway is
 *   interrupted within about two ticks (Kafka has then not taken the record), and the record goes
 *   to its lane.
 * - **Queued** ([enqueue]): otherwise the record waits in its topic's lane, a queue that one worker
 *   at a time hands to Kafka on a thread of an elastic view of `Dispatchers.IO` (blocking there
 *   harms no caller). The worker first waits for the topic's metadata with `partitionsFor` (no side
 *   effects: no interceptor, no error metric, no transaction state), then sends. Each record's wait is
 *   bounded by its own deadline, `max.block.ms` after it was handed to the producer, not by the
 *   records ahead of it: a lane call past the deadline of its record is interrupted by the watchdog,
 *   and a record whose deadline passed while Kafka still cannot take it fails at once with Kafka's
 *   exception type (`TimeoutException`, or `BufferExhaustedException` for a full buffer).
 *
 * Order: a record goes direct only when its topic's lane is empty, and a lane sends in queue order,
 * so records handed over one after another reach each partition in that order. A record for a
 * partition the topic does not have (yet) moves to a lane of its own for that partition, so that it
 * does not hold the topic's other records behind it while it waits for partitions to appear; so does
 * a record for a partition whose first write is still out ([FirstWriteGuard]), and while a
 * partition's lane holds records, the partition's next records join them there.
 *
 * Lanes exist only while they hold records; an empty lane retires and leaves the map.
 */
internal class HandOff<K, V>(
    private val producer: Producer<K, V>,
    private val probe: ClientProbe,
    private val tracker: SendTracker<K, V>,
    /** Holds back a partition's records until its first is acknowledged; null when the producer is not an idempotent `KafkaProducer` it can see into. */
    private val guard: FirstWriteGuard<K, V>? = null,
) {
    private val maxBlockNanos = TimeUnit.MILLISECONDS.toNanos(probe.maxBlockMs)
    private val lanes = ConcurrentHashMap<String, Lane>()
    private val partitionLanes = ConcurrentHashMap<TopicPartition, Lane>()

    /** Lanes in both maps; while 0, the direct path looks nothing up. */
    private val liveLanes = AtomicInteger()

    /** Lanes in [partitionLanes]; while 0, a record with a partition looks up no stray lane. */
    private val livePartitionLanes = AtomicInteger()

    @OptIn(ExperimentalCoroutinesApi::class)
    private val workers = Dispatchers.IO.limitedParallelism(LANE_THREADS)

    /** Set when the producer closes: queued records then fail with it instead of reaching Kafka. */
    @Volatile private var closing: KafkaException? = null

    /** The first record that failed before it reached Kafka since [clearFailures]; a transaction must not commit past it. */
    private val failedBeforeKafka = AtomicReference<Exception?>()

    // ---- the two ways in ----

    /**
     * Hands [record] to Kafka on the calling thread and returns `true` when that cannot wait;
     * returns `false`, having done nothing, when it must be [enqueue]d instead. A direct send the
     * watchdog had to interrupt is queued here and counts as handed over.
     *
     * @throws Exception what `Producer.send` throws (a serializer's failure, say).
     */
    fun tryDirect(
        record: ProducerRecord<K, V>,
        callback: InFlightRecord<K, V>,
    ): Boolean {
        val topic = record.topic()
        val partition = record.partition()
        if (liveLanes.get() != 0 && mustQueue(topic, partition)) return false
        val count = probe.partitionCount(topic)
        if (count < 0 || (partition != null && partition >= count)) return false
        if (probe.bufferLow()) {
            memoryShort = true
            return false
        }
        if (guard != null && !admitted(guard, callback, count)) return false
        tracker.accepted.increment()
        val watch = SendWatchdog.guard()
        val token = watch.enter(SendWatchdog.DIRECT)
        var failure: Throwable? = null
        try {
            producer.send(callback.outgoing(), callback)
        } catch (e: Throwable) {
            failure = e
        }
        val interrupted = watch.exit(token)
        if (failure == null) {
            if (memoryShort) memoryShort = false
            return true
        }
        // Kafka did not take the record: if it was its partition's first write, the next record is.
        guard?.release(callback)
        if (!interrupted) {
            tracker.accepted.decrement()
            // The one way a record ends without its callback: Kafka threw (a serializer's failure, say).
            callback.span?.end(null, failure)
            throw failure
        }
        // The client lost the topic (or its buffer filled) after the probe; Kafka has not appended the record.
        log.debug("A direct send to topic {} met a wait in Kafka ({}); it continues in the topic's lane", topic, watch.interruptedIn)
        probe.forget(topic)
        guard?.forget(topic)
        // Placed again once the topic's metadata is back.
        callback.target = -1
        callback.assignTarget = false
        queue(record, callback, System.nanoTime() + maxBlockNanos)
        return true
    }

    /**
     * Whether [callback]'s record may go to Kafka now as far as [FirstWriteGuard] is concerned: `false`
     * when its partition's lane holds records already (they go first), or the partition's first write is
     * still out; the record then waits in that partition's lane ([enqueue] puts it there).
     */
    private fun admitted(
        guard: FirstWriteGuard<K, V>,
        callback: InFlightRecord<K, V>,
        count: Int,
    ): Boolean {
        val target = guard.route(callback, count, livePartitionLanes.get() != 0)
        if (target < 0) return true
        if (partitionLaneBusy(callback.record.topic(), target)) return false
        return guard.admit(callback) != FirstWriteGuard.HOLD
    }

    private fun partitionLaneBusy(
        topic: String,
        partition: Int,
    ): Boolean = livePartitionLanes.get() != 0 && partitionLanes[TopicPartition(topic, partition)]?.busy == true

    /** Queues [record] in its lane, which hands it to Kafka or fails it by its deadline. Never blocks. */
    fun enqueue(
        record: ProducerRecord<K, V>,
        callback: InFlightRecord<K, V>,
    ) {
        tracker.accepted.increment()
        queue(record, callback, System.nanoTime() + maxBlockNanos)
    }

    /** [tryDirect], or else [enqueue]; returns `true` when the record went direct. */
    fun submit(
        record: ProducerRecord<K, V>,
        callback: InFlightRecord<K, V>,
    ): Boolean {
        if (tryDirect(record, callback)) return true
        enqueue(record, callback)
        return false
    }

    /**
     * Whether a record was refused a direct send for lack of room in Kafka's buffer since the last direct
     * send: records queued meanwhile wait for memory, or behind records that do. Sticky, unlike the
     * buffer's state, which a batch just sent may have changed by the time a caller asks.
     */
    fun memoryShort(): Boolean = memoryShort

    /** See [memoryShort]; read on every direct send, written only when it changes. */
    @Volatile private var memoryShort = false

    /** Takes back a queued record whose caller was cancelled; `false` when its lane has it already. */
    fun withdraw(callback: InFlightRecord<K, V>): Boolean {
        if (!callback.withdraw()) return false
        tracker.accepted.decrement()
        callback.span?.withdrawn()
        return true
    }

    // ---- barriers, failures, close ----

    /** Suspends until every record queued before this call has reached Kafka or failed. */
    suspend fun awaitQueued() {
        // Main lanes first: they move records for missing partitions to stray lanes, behind which the second round waits.
        for (group in listOf(lanes, partitionLanes)) {
            for (lane in ArrayList(group.values)) lane.barrier()?.await()
        }
    }

    /** Blocks up to [timeoutMs] until every record queued before this call has reached Kafka or failed; `false` if time ran out. */
    fun awaitQueuedBlocking(timeoutMs: Long): Boolean {
        // ArrayList(values) copies through toArray, which a lane removed meanwhile cannot break; Kotlin's toList()
        // reads the size first and then iterates, and threw NoSuchElementException when a lane went away in between.
        val deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs)
        for (group in listOf(lanes, partitionLanes)) {
            for (lane in ArrayList(group.values)) {
                val barrier = lane.barrier() ?: continue
                try {
                    barrier.get((deadline - System.nanoTime()).coerceAtLeast(0), TimeUnit.NANOSECONDS)
                } catch (_: java.util.concurrent.TimeoutException) {
                    return false
                }
            }
        }
        return true
    }

    /** From now on, every queued record fails with [cause] instead of reaching Kafka; [awaitQueuedBlocking] then waits for them to fail. */
    fun failQueued(cause: KafkaException) {
        closing = cause
        guard?.close()
    }

    /** A transaction begins: a new producer id (Kafka gets one when the epoch runs out) means every partition is new to it. */
    fun checkProducerId() {
        guard?.checkProducerId()
    }

    /** Forgets earlier failures before Kafka (a transaction begins). */
    fun clearFailures() {
        failedBeforeKafka.set(null)
    }

    /** The first record failure before Kafka since [clearFailures], if any. */
    fun failureBeforeKafka(): Exception? = failedBeforeKafka.get()

    /** Lanes that exist now: each holds records (for tests; empty lanes retire). */
    fun laneCount(): Int = liveLanes.get()

    // ---- readiness ----

    private fun mustQueue(
        topic: String,
        partition: Int?,
    ): Boolean {
        if (lanes[topic]?.busy == true) return true
        return partition != null && livePartitionLanes.get() != 0 && partitionLanes[TopicPartition(topic, partition)]?.busy == true
    }

    // ---- lanes ----

    private fun queue(
        record: ProducerRecord<K, V>,
        callback: InFlightRecord<K, V>,
        deadline: Long,
    ) {
        callback.deadline = deadline
        callback.queued()
        while (!laneFor(callback).add(callback)) {
            // The lane retired between the lookup and the add; a fresh one takes the record.
        }
    }

    private fun laneFor(callback: InFlightRecord<K, V>): Lane {
        val record = callback.record
        val topic = record.topic()
        // A partition the guard picked: the record waits for that partition's first write in its lane.
        val held = callback.target >= 0
        val partition = if (held) callback.target else record.partition()
        if (partition != null) {
            if (livePartitionLanes.get() != 0) partitionLanes[TopicPartition(topic, partition)]?.takeIf { it.busy }?.let { return it }
            if (lanes[topic]?.busy != true && (held || probe.partitionCount(topic) in 0..partition)) return partitionLane(topic, partition)
        }
        return mainLane(topic)
    }

    private fun mainLane(topic: String): Lane =
        lanes[topic] ?: lanes.computeIfAbsent(topic) {
            liveLanes.incrementAndGet()
            Lane(topic, null)
        }

    private fun partitionLane(
        topic: String,
        partition: Int,
    ): Lane =
        partitionLanes.computeIfAbsent(TopicPartition(topic, partition)) {
            liveLanes.incrementAndGet()
            livePartitionLanes.incrementAndGet()
            Lane(topic, partition)
        }

    /** A point in a lane's queue that `flush`, a commit or `close` waits for: completed when the lane reaches it. */
    private class Barrier : CompletableFuture<Unit>()

    /**
     * The records of one topic, or of one [partition] of it, that wait for Kafka, in hand-over order.
     * A topic's lane holds its records while the client lacks the topic's metadata or buffer memory; a
     * partition's lane holds the records of a partition the topic does not have (yet), or whose first
     * write is still out ([FirstWriteGuard]), so that they hold up none of the topic's other records.
     * One worker at a time drains it.
     */
    private inner class Lane(
        val topic: String,
        val partition: Int?,
    ) : Runnable {
        private val queue = ConcurrentLinkedQueue<Any>()

        /** Entries queued or being handed over; [RETIRED] once the lane left its map. */
        val size = AtomicInteger()
        private val running = AtomicBoolean()

        val busy: Boolean get() = size.get() > 0

        /** Adds [entry]; `false` when the lane retired meanwhile. */
        fun add(entry: Any): Boolean {
            while (true) {
                val current = size.get()
                if (current == RETIRED) return false
                if (size.compareAndSet(current, current + 1)) break
            }
            queue.add(entry)
            if (running.compareAndSet(false, true)) workers.dispatch(EmptyCoroutineContext, this)
            return true
        }

        /** Queues a barrier behind everything queued so far; `null` when the lane holds nothing. */
        fun barrier(): CompletableFuture<Unit>? {
            if (!busy) return null
            val barrier = Barrier()
            return if (add(barrier)) barrier else null
        }

        override fun run() {
            while (true) {
                val entry = queue.poll()
                if (entry == null) {
                    running.set(false)
                    if (queue.isEmpty() || !running.compareAndSet(false, true)) break
                    continue
                }
                try {
                    @Suppress("UNCHECKED_CAST")
                    if (entry is Barrier) entry.complete(Unit) else handOver(entry as InFlightRecord<K, V>)
                } catch (e: Throwable) {
                    log.error("kproducer: the lane of topic {} failed to hand over a record", topic, e)
                } finally {
                    size.decrementAndGet()
                }
            }
            if (size.compareAndSet(0, RETIRED)) {
                if (partition == null) {
                    lanes.remove(topic, this)
                } else {
                    partitionLanes.remove(TopicPartition(topic, partition), this)
                    livePartitionLanes.decrementAndGet()
                }
                liveLanes.decrementAndGet()
            }
        }

        private fun handOver(callback: InFlightRecord<K, V>) {
            if (!callback.take()) return
            closing?.let { return failBeforeKafka(callback, it) }
            val record = callback.record
            val wanted = record.partition()
            var count = probe.partitionCount(topic)
            // A probe that reads the client waits for the metadata here; a blind one learns it by sending.
            if (count < 0 && probe.sees) {
                count = awaitTopic(callback) ?: return
                // The client did not know the topic (first use, idle expiry, a rebootstrap): the brokers may not know this producer either.
                guard?.forget(topic)
            }
            if (partition == null && wanted != null && count in 0..wanted) {
                // Not this lane's wait: the partition may never come, and the topic's other records must not wait for it.
                return moveTo(wanted, callback)
            }
            if (pastDeadline(callback)) {
                // Out of time while Kafka still cannot take it: fail now, rather than a watchdog tick later.
                val missing = count < 0 || (wanted != null && wanted >= count)
                if (missing) return failBeforeKafka(callback, metadataTimeout(record, count))
                if (probe.bufferLow()) return failBeforeKafka(callback, bufferTimeout(record))
            }
            val guard = guard
            if (guard != null && count >= 0 && (wanted == null || wanted < count)) {
                val target = guard.route(callback, count, livePartitionLanes.get() != 0)
                if (target >= 0) {
                    if (partition == null) {
                        // A record that waits for its partition's first write waits in that partition's lane: the topic's other records go on.
                        if (partitionLaneBusy(topic, target) || guard.admit(callback) == FirstWriteGuard.HOLD) return moveTo(target, callback)
                    } else {
                        while (guard.admit(callback) == FirstWriteGuard.HOLD) {
                            if (!guard.awaitTurn(callback)) return failBeforeKafka(callback, closing ?: guard.turnTimeout(record, target))
                        }
                    }
                }
            }
            send(callback)
        }

        /** Moves [callback] from this topic's lane to the lane of its [partition], behind the records there. */
        private fun moveTo(
            partition: Int,
            callback: InFlightRecord<K, V>,
        ) {
            callback.queued()
            while (!partitionLane(topic, partition).add(callback)) {
                // retired meanwhile; take a fresh one
            }
        }

        /** Waits for the topic's metadata up to the record's deadline; its partition count, or `null` when the record failed. */
        private fun awaitTopic(callback: InFlightRecord<K, V>): Int? {
            if (pastDeadline(callback)) {
                failBeforeKafka(callback, metadataTimeout(callback.record, -1))
                return null
            }
            val guard = SendWatchdog.guard()
            val token = guard.enter(SendWatchdog.LANE, callback.deadline)
            var count = -1
            var failure: Exception? = null
            try {
                count = producer.partitionsFor(topic).size
            } catch (e: Exception) {
                failure = e
            }
            val interrupted = guard.exit(token)
            if (failure == null) return count
            failBeforeKafka(callback, if (interrupted) metadataTimeout(callback.record, -1) else closedInstead(failure))
            return null
        }

        private fun send(callback: InFlightRecord<K, V>) {
            val guard = SendWatchdog.guard()
            val token = guard.enter(SendWatchdog.LANE, callback.deadline)
            var failure: Exception? = null
            var future: Future<*>? = null
            try {
                future = producer.send(callback.outgoing(), callback)
            } catch (e: Exception) {
                failure = e
            }
            val interrupted = guard.exit(token)
            if (failure == null) return probe.learned(topic, future)
            val cause =
                when {
                    !interrupted -> closedInstead(failure)
                    guard.interruptedIn == SendWatchdog.KafkaWait.BUFFER -> bufferTimeout(callback.record)
                    else -> metadataTimeout(callback.record, probe.partitionCount(topic))
                }
            failBeforeKafka(callback, cause)
        }
    }

    private fun pastDeadline(callback: InFlightRecord<K, V>): Boolean = System.nanoTime() - callback.deadline >= 0

    /**
     * What a lane's record fails with when its Kafka call failed: Kafka's verdict on the record (an
     * `ApiException`) as it is; while the producer closes, anything else (Kafka's "Requested metadata
     * update after close", the closed producer's `IllegalStateException`) as the reason it was closed.
     */
    private fun closedInstead(failure: Exception): Exception {
        val reason = closing ?: return failure
        return if (failure is ApiException) failure else KafkaException(reason.message, failure)
    }

    private fun failBeforeKafka(
        callback: InFlightRecord<K, V>,
        cause: Exception,
    ) {
        failedBeforeKafka.compareAndSet(null, cause)
        callback.onCompletion(null, cause)
    }

    /** Kafka's own timeout for a record whose metadata did not come within `max.block.ms`, in Kafka's words. */
    private fun metadataTimeout(
        record: ProducerRecord<K, V>,
        partitionCount: Int,
    ): TimeoutException {
        val partition = record.partition()
        return if (partition != null && partitionCount >= 0) {
            TimeoutException(
                "Partition $partition of topic ${record.topic()} with partition count $partitionCount is not present in metadata " +
                    "after ${probe.maxBlockMs} ms.",
            )
        } else {
            TimeoutException("Topic ${record.topic()} not present in metadata after ${probe.maxBlockMs} ms.")
        }
    }

    private fun bufferTimeout(record: ProducerRecord<K, V>): BufferExhaustedException =
        BufferExhaustedException(
            "Failed to allocate memory for a record of topic '${record.topic()}' within the configured max blocking time " +
                "${probe.maxBlockMs} ms: the producer's buffer (bufferMemory) stayed full, because the brokers take records " +
                "more slowly than they are sent, or not at all. Send less at once, raise bufferMemory or maxBlock, or " +
                "check that the brokers are reachable.",
        )

    private companion object {
        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!
        private const val RETIRED = Int.MIN_VALUE

        /** Lanes block only while Kafka cannot take their record; one thread per waiting lane, at most this many. */
        private const val LANE_THREADS = 1024
    }
}
