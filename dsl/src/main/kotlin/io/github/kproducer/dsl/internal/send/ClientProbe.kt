package io.github.kproducer.dsl.internal.send

import org.apache.kafka.clients.Metadata
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.common.Metric
import java.lang.reflect.Field
import java.util.Deque
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit

/**
 * Reads, without blocking and without side effects, the two things that decide whether
 * `KafkaProducer.send` would wait on the calling thread: whether the client's metadata holds the
 * record's topic and partition (otherwise `send` waits in `waitOnMetadata`), and whether its buffer
 * pool has room for a new batch (otherwise `send` waits in `BufferPool.allocate`).
 *
 * The answer comes from the client's own state on every call, so the client can revoke it: when
 * Kafka 4 rebootstraps after losing every broker (`metadata.recovery.strategy=rebootstrap`, the
 * default) it replaces its metadata with the bootstrap addresses and forgets every topic; the next
 * [partitionCount] then says the topic is unknown, and the record takes its lane instead of
 * blocking its caller. Kafka offers no public way to ask this, so [of] reads the client's private
 * fields `metadata`, `accumulator.free` and `maxBlockTimeMs` once, by reflection (they have had these
 * names since Kafka 0.11), and falls back to a blind probe when they are missing: a wrapped producer
 * that is not a `KafkaProducer` (a decorator, a mock), or a client version that renamed them. A blind
 * probe learns a topic's readiness from a send that got through ([learned]) and keeps it for half of
 * `metadata.max.idle.ms`, unless a send meets a wait ([forget]). A check passes only for an instant:
 * between it and Kafka's own check the client may still rebootstrap, and [SendWatchdog] covers that
 * instant.
 */
internal abstract class ClientProbe {
    /** Whether this probe reads the client's state, so that a lane can wait for a topic's metadata with `partitionsFor`. */
    abstract val sees: Boolean

    /** The client's `max.block.ms`: how long one record may wait for metadata or buffer memory. */
    abstract val maxBlockMs: Long

    /** The partition count known for [topic], or -1 when it is not known (a send would wait for metadata). */
    abstract fun partitionCount(topic: String): Int

    /** Whether a send that needs a new batch could wait for buffer memory now. */
    abstract fun bufferLow(): Boolean

    /** A lane's send of [topic] returned [future]; a blind probe learns from it that the topic's metadata is known. */
    open fun learned(
        topic: String,
        future: Future<*>?,
    ): Unit = Unit

    /** A send to [topic] met a wait in Kafka after the probe said it would not; a blind probe forgets the topic. */
    open fun forget(topic: String): Unit = Unit

    /** Probes a producer it cannot see into, by what its sends showed. */
    private class Blind(
        private val producer: Producer<*, *>,
        override val maxBlockMs: Long,
        private val gauge: BufferGauge?,
        private val readyNanos: Long,
    ) : ClientProbe() {
        private class Readiness(
            val until: Long,
            val partitions: Int,
        )

        private val ready = ConcurrentHashMap<String, Readiness>()

        override val sees: Boolean get() = false

        override fun partitionCount(topic: String): Int {
            val readiness = ready[topic] ?: return -1
            // Readiness lasts minutes: the watchdog's tick is clock enough, and spares a clock read per record.
            return if (SendWatchdog.coarseNanos - readiness.until >= 0) -1 else readiness.partitions
        }

        override fun bufferLow(): Boolean = gauge?.isLow(System.nanoTime()) == true

        override fun learned(
            topic: String,
            future: Future<*>?,
        ) {
            // A send that came back without a metadata failure proves the topic known; its partition count is then cached.
            if (future != null && future.isDone && runCatching { future.get() }.isFailure) return
            val partitions = runCatching { producer.partitionsFor(topic).size }.getOrNull()?.takeIf { it > 0 } ?: Int.MAX_VALUE
            ready[topic] = Readiness(System.nanoTime() + readyNanos, partitions)
        }

        override fun forget(topic: String) {
            ready.remove(topic)
        }
    }

    /** Probes a `KafkaProducer` through its metadata and buffer pool. */
    private class Seeing(
        private val metadata: Metadata,
        private val pool: BufferPoolView?,
        private val gauge: BufferGauge?,
        override val maxBlockMs: Long,
    ) : ClientProbe() {
        override val sees: Boolean get() = true

        override fun partitionCount(topic: String): Int = metadata.fetch().partitionCountForTopic(topic) ?: -1

        override fun bufferLow(): Boolean = pool?.isLow() ?: (gauge?.isLow(System.nanoTime()) == true)
    }

    companion object {
        /** Kafka's default `max.block.ms`, for producers whose setting cannot be read. */
        const val DEFAULT_MAX_BLOCK_MS: Long = 60_000

        /** Half of Kafka's default `metadata.max.idle.ms`: how long a blind probe keeps a topic ready. */
        private val DEFAULT_READY_NANOS = TimeUnit.MINUTES.toNanos(5) / 2

        /**
         * The probe for [producer]. [maxBlockMs], [lowBufferBytes] and [blindReadyNanos] come from the
         * settings when the DSL built the client; for a wrapped client they are read from it, or are
         * Kafka's defaults.
         */
        fun of(
            producer: Producer<*, *>,
            maxBlockMs: Long? = null,
            lowBufferBytes: Long? = null,
            blindReadyNanos: Long = DEFAULT_READY_NANOS,
        ): ClientProbe {
            val kafka = producer as? KafkaProducer<*, *>
            val block = maxBlockMs ?: kafka?.let { readLong(it, "maxBlockTimeMs") } ?: DEFAULT_MAX_BLOCK_MS
            val pool = kafka?.let { BufferPoolView.of(it, lowBufferBytes) }
            val gauge = if (pool == null) BufferGauge.of(producer, (lowBufferBytes ?: DEFAULT_LOW_BUFFER).toDouble()) else null
            val metadata = kafka?.let { runCatching { field(KafkaProducer::class.java, "metadata").get(it) as Metadata }.getOrNull() }
            return if (metadata != null) Seeing(metadata, pool, gauge, block) else Blind(producer, block, gauge, blindReadyNanos)
        }

        private const val DEFAULT_LOW_BUFFER = 1024L * 1024

        internal fun field(
            type: Class<*>,
            name: String,
        ): Field = type.getDeclaredField(name).apply { isAccessible = true }

        private fun readLong(
            target: Any,
            name: String,
        ): Long? = runCatching { field(target.javaClass, name).getLong(target) }.getOrNull()
    }
}

/**
 * The free memory of a `KafkaProducer`'s buffer pool, read from its fields without taking its lock
 * (the pool's own `availableMemory()` locks, which every send would then contend for). The read
 * may be a moment stale; it only decides whether a send goes direct, and [SendWatchdog] covers a
 * send that still meets a full pool.
 */
internal class BufferPoolView private constructor(
    private val pool: Any,
    private val nonPooled: Field,
    private val free: Deque<*>,
    private val poolableSize: Long,
    /** Below this many free bytes a new batch might have to wait. */
    private val threshold: Long,
) {
    fun isLow(): Boolean = nonPooled.getLong(pool) + free.size * poolableSize < threshold

    companion object {
        fun of(
            producer: KafkaProducer<*, *>,
            lowBufferBytes: Long?,
        ): BufferPoolView? =
            runCatching {
                val accumulator = ClientProbe.field(KafkaProducer::class.java, "accumulator").get(producer)
                val pool = ClientProbe.field(accumulator.javaClass, "free").get(accumulator)
                val poolClass = pool.javaClass
                val poolable = ClientProbe.field(poolClass, "poolableSize").getInt(pool).toLong()
                val total = ClientProbe.field(poolClass, "totalMemory").getLong(pool)
                val maxRequest = runCatching { ClientProbe.field(KafkaProducer::class.java, "maxRequestSize").getInt(producer).toLong() }.getOrNull()
                val threshold = lowBufferBytes ?: minOf(maxOf(poolable, maxRequest ?: poolable), total / 2)
                BufferPoolView(
                    pool,
                    ClientProbe.field(poolClass, "nonPooledAvailableMemory"),
                    ClientProbe.field(poolClass, "free").get(pool) as Deque<*>,
                    poolable,
                    threshold,
                )
            }.getOrNull()
    }
}

/**
 * The producer's `buffer-available-bytes` gauge, read at most once per millisecond (reading it
 * takes two locks and boxes a double, too much for every send). Below the threshold a send may
 * block for buffer space, so it takes its topic's lane instead. Used only where [BufferPoolView]
 * cannot read the pool (a wrapped producer that is not a `KafkaProducer` but has the metric).
 * Producers without the metric (mocks) never count as low.
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
