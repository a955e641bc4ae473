package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.consumer.CloseOptions
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.RetriableException
import org.apache.kafka.common.serialization.Deserializer
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.TimeSource
import kotlin.time.toJavaDuration

/**
 * An assigned (group-less) consumer positioned at a topic's end offsets as they were when it opened:
 * the engine of `KafkaCluster.records` and `RecordProbe`. [open] blocks until the positions are fixed,
 * so that whatever is produced after it returns is seen, and nothing before. The partitions are those
 * the topic had at [open]. Not thread-safe (one caller at a time, as KafkaConsumer).
 */
internal class LiveReader<K, V> private constructor(
    private val consumer: KafkaConsumer<K, V>,
    val topic: String,
    val clientId: String,
    val start: Map<TopicPartition, Long>,
) : AutoCloseable {
    @Volatile private var closed = false

    /** One poll of at most [POLL_INTERVAL]; retriable failures give no records, others an [AssertionError]. */
    fun poll(max: Duration = POLL_INTERVAL): List<ConsumerRecord<K, V>> =
        TestKitLogging.quietly {
            try {
                consumer.poll(minOf(max, POLL_INTERVAL).coerceAtLeast(1.milliseconds).toJavaDuration()).toList()
            } catch (e: RetriableException) {
                Thread.sleep(RETRY_PAUSE.inWholeMilliseconds)
                emptyList()
            } catch (e: KafkaException) {
                throw AssertionError("records('$topic') failed: ${describeFailure(e)}", e)
            }
        }

    /** Closes the consumer (at most a second); idempotent. */
    override fun close() {
        if (closed) return
        closed = true
        TestKitLogging.quietly { runCatching { consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT.toJavaDuration())) } }
    }

    companion object {
        val POLL_INTERVAL = RecordReader.pollInterval
        private val RETRY_PAUSE = RecordReader.retryPause
        private val CLOSE_TIMEOUT = RecordReader.closeTimeout
        private val UNKNOWN_TOPIC_GRACE = RecordReader.unknownTopicGrace
        private val ids = AtomicLong()

        /** The `client.id` prefix of every live reader (also the prefix of its JMX `app-info` id). */
        const val CLIENT_ID_PREFIX: String = TestKitLogging.CLIENT_ID_PREFIX + "probe-"

        /**
         * Opens a consumer on [topic] at its current end offsets (the last stable offsets with
         * `READ_COMMITTED`); blocks for at most [timeout].
         *
         * @throws AssertionError when the topic is unknown for a second, or the end offsets are not known within [timeout].
         */
        fun <K, V> open(
            connection: Map<String, Any>,
            topic: String,
            keyDeserializer: Deserializer<K>,
            valueDeserializer: Deserializer<V>,
            isolationLevel: IsolationLevel,
            timeout: Duration,
        ): LiveReader<K, V> =
            TestKitLogging.quietly {
                val call = "records('$topic')"
                val clientId = CLIENT_ID_PREFIX + ids.incrementAndGet()
                val consumer = RecordReader.newConsumer(connection, isolationLevel, keyDeserializer, valueDeserializer, call, clientId)
                try {
                    val start = position(consumer, topic, call, Deadline(timeout))
                    LiveReader(consumer, topic, clientId, start)
                } catch (e: Throwable) {
                    runCatching { consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT.toJavaDuration())) }
                    throw e
                }
            }

        private fun position(
            consumer: KafkaConsumer<*, *>,
            topic: String,
            call: String,
            deadline: Deadline,
        ): Map<TopicPartition, Long> {
            val unknownSince = TimeSource.Monotonic.markNow()
            var lastProblem: Throwable? = null
            while (true) {
                try {
                    val partitions = RecordReader.partitionsOf(consumer, topic, deadline)
                    if (partitions.isEmpty()) {
                        if (unknownSince.elapsedNow() >= UNKNOWN_TOPIC_GRACE || deadline.hasPassed) {
                            throw AssertionError(
                                "$call: topic '$topic' does not exist (the brokers did not know it for ${unknownSince.elapsedNow().inWholeMilliseconds} ms)",
                            )
                        }
                        deadline.pause(RETRY_PAUSE)
                        continue
                    }
                    val ends = consumer.endOffsets(partitions, deadline.remainingJava)
                    consumer.assign(partitions)
                    ends.forEach { (partition, offset) -> consumer.seek(partition, offset) }
                    return ends
                } catch (e: RetriableException) {
                    lastProblem = e
                    if (deadline.hasPassed) {
                        throw AssertionError("$call: the end offsets of '$topic' were not known within ${deadline.timeout}: ${describeFailure(lastProblem)}", e)
                    }
                    deadline.pause(RETRY_PAUSE)
                } catch (e: KafkaException) {
                    throw AssertionError("$call failed: ${describeFailure(e)}", e)
                }
            }
        }
    }
}
