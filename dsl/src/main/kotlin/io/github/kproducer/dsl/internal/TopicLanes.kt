package io.github.kproducer.dsl.internal

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.common.Metric
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Decides, per record, whether `Producer.send` can be called on the caller's thread without blocking
 * it, and otherwise provides the topic's lane: a one-thread-at-a-time view of `Dispatchers.IO` where
 * the send may block (for metadata or buffer space) while the caller suspends.
 *
 * `Producer.send` blocks only when the topic's partitions are unknown or the buffer is exhausted. A
 * topic is *ready* once a send to it returned with its metadata known, until half of
 * `metadata.max.idle.ms` passes without a slow send renewing it (after the full idle time Kafka
 * forgets the metadata). While any record of a topic waits in its lane, later records of that
 * topic queue behind it, so the per-partition order of hand-over is kept.
 */
internal class TopicLanes(
    private val producer: Producer<*, *>,
    tuning: LaneTuning,
) {
    private val lanes = ConcurrentHashMap<String, Lane>()
    private val readyNanos = TimeUnit.MILLISECONDS.toNanos(tuning.metadataMaxIdleMs) / 2
    private val buffer = BufferGauge.of(producer, tuning.lowBufferBytes.toDouble())

    class Lane(
        val dispatcher: CoroutineDispatcher,
    ) {
        /** Records of this topic queued or running in the lane. */
        val pending = AtomicInteger()

        /** Whether a send ever proved the topic's metadata known; [readyUntil] is meaningful only then. */
        @Volatile var everReady: Boolean = false

        @Volatile var readyUntil: Long = 0

        /**
         * The topic's partition count when it was last marked ready. A record for a partition at or
         * above it would make `Producer.send` wait for metadata that may never come, so it takes the lane.
         */
        @Volatile var partitions: Int = Int.MAX_VALUE
    }

    fun lane(topic: String): Lane = lanes[topic] ?: lanes.computeIfAbsent(topic) { Lane(newLaneDispatcher()) }

    /** Whether a record of [lane]'s topic can be handed to Kafka on the calling thread right now. */
    fun isDirect(
        lane: Lane,
        partition: Int?,
        now: Long = System.nanoTime(),
    ): Boolean {
        if (!lane.everReady || lane.pending.get() != 0) return false
        if (partition != null && partition >= lane.partitions) return false
        return now - lane.readyUntil < 0 && buffer?.isLow(now) != true
    }

    /** Records that a send to [topic] found its metadata known; the partition count is then cached, so reading it does not block. */
    fun markReady(
        lane: Lane,
        topic: String,
    ) {
        lane.partitions = runCatching { producer.partitionsFor(topic).size }.getOrNull()?.takeIf { it > 0 } ?: Int.MAX_VALUE
        lane.readyUntil = System.nanoTime() + readyNanos
        lane.everReady = true
    }

    /** Waits, up to [timeoutMs], until every record queued in a lane before this call was handed over. */
    fun awaitQueued(timeoutMs: Long): Boolean {
        val busy = lanes.values.filter { it.pending.get() > 0 }
        if (busy.isEmpty()) return true
        val latch = CountDownLatch(busy.size)
        busy.forEach { it.dispatcher.dispatch(EmptyCoroutineContext) { latch.countDown() } }
        return latch.await(timeoutMs, TimeUnit.MILLISECONDS)
    }

    /** The lanes with queued records, to wait behind them. */
    fun busyLanes(): List<Lane> = lanes.values.filter { it.pending.get() > 0 }

    @OptIn(ExperimentalCoroutinesApi::class)
    private fun newLaneDispatcher(): CoroutineDispatcher = Dispatchers.IO.limitedParallelism(1)
}

/** The numbers [TopicLanes] judges by, derived from the producer's settings. */
internal class LaneTuning(
    /** Kafka forgets a topic's metadata after this long without a send to it. */
    val metadataMaxIdleMs: Long,
    /** Below this many free buffer bytes a send may block: the larger of `batch.size` and `max.request.size`, at most half the buffer. */
    val lowBufferBytes: Long,
) {
    companion object {
        val DEFAULT = LaneTuning(300_000, 1024L * 1024)

        fun of(parsed: Map<String, Any?>): LaneTuning {
            fun long(key: String) = (parsed[key] as Number).toLong()
            val largest = maxOf(long("batch.size"), long("max.request.size"))
            return LaneTuning(long("metadata.max.idle.ms"), minOf(largest, long("buffer.memory") / 2))
        }
    }
}

/**
 * The producer's `buffer-available-bytes` gauge, read at most once per millisecond (reading it
 * takes two locks and boxes a double, too much for every send). Below the threshold a send may
 * block for buffer space, so it takes its topic's lane instead. The margin is one maximal
 * allocation, far more than a millisecond of sends fills. Producers without the metric (mocks)
 * never count as low.
 */
internal class BufferGauge private constructor(
    private val metric: Metric,
    private val threshold: Double,
) {
    @Volatile private var sampledAt = 0L

    @Volatile private var low = false

    fun isLow(nowNanos: Long): Boolean {
        if (nowNanos - sampledAt >= SAMPLE_NANOS) {
            sampledAt = nowNanos
            low = (metric.metricValue() as? Number)?.toDouble()?.let { it < threshold } ?: false
        }
        return low
    }

    companion object {
        private val SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1)

        fun of(
            producer: Producer<*, *>,
            threshold: Double,
        ): BufferGauge? {
            val metrics = runCatching { producer.metrics() }.getOrNull() ?: return null
            val metric =
                metrics.entries.firstOrNull { it.key.name() == "buffer-available-bytes" && it.key.group() == "producer-metrics" }?.value
                    ?: return null
            return BufferGauge(metric, threshold)
        }
    }
}
