package io.github.kproducer.samples

import io.github.kproducer.dsl.SendListener
import io.github.kproducer.dsl.kafkaProducer
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import org.apache.kafka.clients.producer.ProducerRecord
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * Study note 002's monitoring: success and failure counters printed every 5 seconds while a producer
 * works. Every 25th record is too large for `max.request.size`, so both counters move. The counts
 * come from a [SendListener]; the producer's own `metrics()` agree, and add the client's rates.
 */
internal object Monitoring : Sample(name = "monitoring", title = "Success and failure counters every 5 seconds", notes = "002") {
    const val TOPIC = "monitored-topic"

    class Result(
        val successes: Long,
        val failures: Long,
        val reports: List<String>,
        val metricsAcknowledged: Long,
        val metricsFailed: Long,
    )

    override suspend fun run(env: SampleEnvironment) {
        watch(env, every = 5.seconds, runFor = 12.seconds)
    }

    suspend fun watch(
        env: SampleEnvironment,
        every: Duration,
        runFor: Duration,
    ): Result {
        env.createTopic(TOPIC, partitions = 3)
        val successes = AtomicLong()
        val failures = AtomicLong()
        val reports = mutableListOf<String>()
        kafkaProducer<String, String> {
            bootstrapServers = env.bootstrapServers
            maxRequestSize = 10_000
            listener(SendListener(onSuccess = { _, _ -> successes.incrementAndGet() }, onError = { _, _ -> failures.incrementAndGet() }))
        }.use { producer ->
            coroutineScope {
                val reporter =
                    launch {
                        while (true) {
                            delay(every)
                            val line = "success: ${successes.get()}, failure: ${failures.get()}"
                            reports += line
                            env.println("  $line")
                        }
                    }
                val until = TimeSource.Monotonic.markNow() + runFor
                var n = 0
                while (until.hasNotPassedNow()) {
                    val records = (0 until 25).map { i -> ProducerRecord(TOPIC, "key-${n + i}", if (i == 24) "x".repeat(20_000) else "event ${n + i}") }
                    producer.sendAllSettled(records)
                    n += records.size
                    delay(20.milliseconds)
                }
                producer.flush()
                delay(200.milliseconds) // let the listeners, which run off the I/O thread, catch up
                reporter.cancel()
            }
            val metrics = producer.metrics()
            val final =
                "final: success: ${successes.get()}, failure: ${failures.get()} (metrics(): ${metrics.acknowledged} acknowledged, " +
                    "${metrics.failed} failed, %.0f records/s sent)".format(metrics.recordSendRate ?: 0.0)
            env.println("  $final")
            return Result(successes.get(), failures.get(), reports, metrics.acknowledged, metrics.failed)
        }
    }
}
