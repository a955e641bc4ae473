package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.time.Duration.Companion.milliseconds

/**
 * Study notes 002 and 003: back-pressure. With a 64 KiB `buffer.memory`, a plain `send()` would block
 * its thread whenever the buffer is full. Here a flow of 20 MiB goes through that buffer on a single
 * thread that also runs a ticking coroutine: the producer suspends instead of blocking, so the ticker
 * keeps ticking, and every record arrives.
 */
@OptIn(ExperimentalCoroutinesApi::class)
internal object BackPressure : Sample(name = "back-pressure", title = "A 64 KiB buffer, 20 MiB of records, one thread that never blocks", notes = "002, 003") {
    const val TOPIC = "back-pressure"

    class Result(
        val records: Int,
        val acknowledged: Long,
        val ticks: Int,
        val seconds: Double,
    )

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        env.createTopic(TOPIC, partitions = 2)
        val count = env.scaled(20_000)
        val value = ByteArray(1024) { 'x'.code.toByte() }
        val progress = env.progress("sending")
        var ticks = 0
        var acknowledged = 0L
        kafkaProducer<String, ByteArray> {
            bootstrapServers = env.bootstrapServers
            bufferMemory = 64L * 1024
            batchSize = 16 * 1024
            maxRequestSize = 32 * 1024
            linger = 10.milliseconds
        }.use { producer ->
            withContext(Dispatchers.Default.limitedParallelism(1)) {
                coroutineScope {
                    val ticker =
                        launch {
                            while (isActive) {
                                ticks++
                                delay(10.milliseconds)
                            }
                        }
                    producer.sendAll(flow { repeat(count) { emit(ProducerRecord(TOPIC, "key-${it % 10}", value)) } }).collect {
                        progress.update(++acknowledged, count.toLong(), "(ticker: $ticks ticks)")
                    }
                    ticker.cancel()
                }
            }
        }
        env.println(
            "%,d records of 1 KiB through a 64 KiB buffer in %.1f s; the ticker on the same thread ticked %d times".format(
                count,
                progress.elapsedSeconds(),
                ticks,
            ),
        )
        return Result(count, acknowledged, ticks, progress.elapsedSeconds())
    }
}
