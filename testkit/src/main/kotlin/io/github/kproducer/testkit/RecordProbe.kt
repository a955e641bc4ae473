package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.LiveReader
import io.github.kproducer.testkit.internal.describe
import org.apache.kafka.clients.consumer.ConsumerRecord
import kotlin.time.Duration
import kotlin.time.TimeSource
import kotlin.time.toKotlinDuration

/**
 * A blocking, JUnit-friendly watch on one topic: it sees exactly the records produced after it was
 * created (see [KafkaCluster.probe]), in arrival order (each partition's in offset order). Create it,
 * act, then [awaitRecords] or [expectNoRecords]; close it (try-with-resources) to release its consumer.
 *
 * Every method blocks the calling thread for at most its timeout (plus one poll of 100 ms). The
 * partitions are those the topic had when the probe was created. Thread-safe: calls are serialized.
 */
public class RecordProbe<K, V> internal constructor(
    private val reader: LiveReader<K, V>,
) : AutoCloseable {
    private val lock = Any()
    private val buffered = ArrayDeque<ConsumerRecord<K, V>>()

    /** The topic this probe watches. */
    public val topic: String get() = reader.topic

    /**
     * Waits until [count] records that no earlier call returned have arrived, and returns them,
     * oldest first (later ones stay for the next call). Blocks for at most [timeout].
     *
     * @throws AssertionError when fewer arrive within [timeout]; the message names every record seen.
     * @throws IllegalStateException when the probe is closed.
     */
    @JvmSynthetic
    public fun awaitRecords(
        count: Int,
        timeout: Duration,
    ): List<ConsumerRecord<K, V>> {
        require(count >= 0) { "count must not be negative, was $count" }
        synchronized(lock) {
            check(!closed) { "RecordProbe('$topic') is closed" }
            val end = TimeSource.Monotonic.markNow() + timeout
            while (buffered.size < count && !end.hasPassedNow()) {
                buffered += reader.poll(-end.elapsedNow())
            }
            if (buffered.size < count) {
                throw AssertionError(
                    "Expected $count records on '$topic' within $timeout, but ${buffered.size} arrived" +
                        buffered.joinToString("") { "\n  " + describe(it) },
                )
            }
            return List(count) { buffered.removeFirst() }
        }
    }

    /** Java form of [awaitRecords]. */
    public fun awaitRecords(
        count: Int,
        timeout: java.time.Duration,
    ): List<ConsumerRecord<K, V>> = awaitRecords(count, timeout.toKotlinDuration())

    /**
     * Asserts that no record arrives within [within], beyond those an [awaitRecords] already returned:
     * blocks for [within], and fails as soon as one arrives.
     *
     * @throws AssertionError naming the records that arrived (or were left unread before the call).
     * @throws IllegalStateException when the probe is closed.
     */
    @JvmSynthetic
    public fun expectNoRecords(within: Duration) {
        synchronized(lock) {
            check(!closed) { "RecordProbe('$topic') is closed" }
            val end = TimeSource.Monotonic.markNow() + within
            while (buffered.isEmpty() && !end.hasPassedNow()) {
                buffered += reader.poll(-end.elapsedNow())
            }
            if (buffered.isNotEmpty()) {
                throw AssertionError(
                    "Expected no records on '$topic' within $within, but ${buffered.size} arrived" +
                        buffered.joinToString("") { "\n  " + describe(it) },
                )
            }
        }
    }

    /** Java form of [expectNoRecords]. */
    public fun expectNoRecords(within: java.time.Duration): Unit = expectNoRecords(within.toKotlinDuration())

    @Volatile private var closed = false

    /** Closes the probe's consumer (at most a second). Idempotent. */
    override fun close() {
        synchronized(lock) {
            closed = true
            reader.close()
        }
    }

    override fun toString(): String =
        "RecordProbe(topic=$topic, start=${reader.start.entries.sortedBy { it.key.partition() }.joinToString { "${it.key.partition()}@${it.value}" }})"
}
