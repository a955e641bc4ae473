package io.github.kproducer.dsl.internal.config

import io.github.kproducer.dsl.internal.send.ClientProbe
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

/** The numbers the hand-off judges by, from the producer's settings. */
internal class LaneTuning(
    /** `max.block.ms`: how long one record may wait for metadata or buffer memory. */
    val maxBlockMs: Long,
    /** Below this many free buffer bytes a send may block: the larger of `batch.size` and `max.request.size`, at most half the buffer. */
    val lowBufferBytes: Long,
    /** Kafka forgets a topic's metadata after this long without a send to it; a blind probe's readiness lasts half of it. */
    val metadataMaxIdleMs: Long,
) {
    /** How long a send that found a topic known keeps it ready, for a producer the probe cannot see into. */
    val blindReadyNanos: Long get() = TimeUnit.MILLISECONDS.toNanos(metadataMaxIdleMs) / 2

    companion object {
        /** Kafka's defaults, for wrapped producers whose settings are unknown. */
        val DEFAULT = LaneTuning(ClientProbe.DEFAULT_MAX_BLOCK_MS, 1024L * 1024, 300_000)

        fun of(parsed: Map<String, Any?>): LaneTuning {
            fun long(key: String) = (parsed[key] as Number).toLong()
            val largest = maxOf(long("batch.size"), long("max.request.size"))
            return LaneTuning(long("max.block.ms"), minOf(largest, long("buffer.memory") / 2), long("metadata.max.idle.ms"))
        }
    }
}
