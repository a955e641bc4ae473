package io.github.kproducer.samples

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerConfig
import io.github.kproducer.dsl.KProducerSettings
import io.github.kproducer.dsl.highThroughput
import io.github.kproducer.dsl.kafkaProducerSettings
import io.github.kproducer.dsl.reliable
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.time.measureTime

/**
 * Study note 000's two use cases as presets: card payments (no loss, low latency, high throughput:
 * `reliable()`) and web click logs (loss tolerated, latency tolerant: `highThroughput()`). Prints the
 * settings each preset chose, then sends the same number of records with both.
 */
internal object UseCasePresets : Sample(name = "presets", title = "Card payments versus click logs: reliable() and highThroughput()", notes = "000") {
    private val shown = listOf("acks", "enable.idempotence", "linger.ms", "batch.size", "compression.type", "buffer.memory", "delivery.timeout.ms")

    class Result(
        val payments: KProducerSettings<String, String>,
        val clicks: KProducerSettings<String, String>,
        val sentEach: Int,
    )

    override suspend fun run(env: SampleEnvironment) {
        compare(env)
    }

    suspend fun compare(env: SampleEnvironment): Result {
        env.createTopic("card-payments", partitions = 3)
        env.createTopic("click-logs", partitions = 3)
        val payments = settings(env) { reliable() }
        val clicks = settings(env) { highThroughput() }
        env.println("%-22s %-16s %-16s".format("setting", "card payments", "click logs"))
        shown.forEach { key -> env.println("%-22s %-16s %-16s".format(key, payments.properties[key] ?: "(default)", clicks.properties[key] ?: "(default)")) }
        val count = env.scaled(20_000)
        for ((topic, settings) in listOf("card-payments" to payments, "click-logs" to clicks)) {
            val took =
                KProducer(settings).use { producer ->
                    measureTime { producer.sendAll((0 until count).map { ProducerRecord(topic, "user-${it % 100}", "event $it of $topic") }) }
                }
            env.println("%,d records to %s in %d ms".format(count, topic, took.inWholeMilliseconds))
        }
        return Result(payments, clicks, count)
    }

    private fun settings(
        env: SampleEnvironment,
        preset: KProducerConfig<String, String>.() -> Unit,
    ): KProducerSettings<String, String> =
        kafkaProducerSettings {
            preset()
            bootstrapServers = env.bootstrapServers
        }
}
