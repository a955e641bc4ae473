package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.dsl.reliable
import kotlinx.coroutines.flow.flow
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.random.Random

/**
 * Study note 002's scenario 1: 100,000 messages of 100 bytes through a tuned producer (acks=all,
 * idempotence, 5 ms linger, 64 KiB batches, lz4) as a flow, with a live progress line, reporting
 * records/s and MiB/s.
 */
internal object PerformanceRun : Sample(name = "performance", title = "100,000 records: records/s and MiB/s", notes = "002") {
    const val TOPIC = "perf-topic"
    private const val RECORD_BYTES = 100

    class Result(
        val records: Int,
        val seconds: Double,
    ) {
        val recordsPerSecond: Double get() = records / seconds
        val mibPerSecond: Double get() = records * RECORD_BYTES / seconds / (1024 * 1024)
    }

    override suspend fun run(env: SampleEnvironment) {
        measure(env)
    }

    suspend fun measure(env: SampleEnvironment): Result {
        env.createTopic(TOPIC, partitions = 3)
        val count = env.scaled(100_000)
        val payload = ByteArray(RECORD_BYTES).also { Random(7).nextBytes(it) }
        val progress = env.progress("sending")
        kafkaProducer<String, ByteArray> {
            reliable()
            bootstrapServers = env.bootstrapServers
        }.use { producer ->
            var acknowledged = 0L
            producer
                .sendAll(flow { repeat(count) { emit(ProducerRecord(TOPIC, "key-${it % 1000}", payload)) } })
                .collect { progress.update(++acknowledged, count.toLong(), "records acknowledged") }
        }
        val result = Result(count, progress.elapsedSeconds())
        env.println(
            "%,d records of %d B in %.2f s: %,.0f records/s, %.1f MiB/s".format(
                count,
                RECORD_BYTES,
                result.seconds,
                result.recordsPerSecond,
                result.mibPerSecond,
            ),
        )
        return result
    }
}
