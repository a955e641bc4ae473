package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.time.measureTimedValue

/**
 * Study note 002: a batch of 100 messages to `batch-topic` in one call, and sends to several topics
 * in parallel (the note's `Promise.all`), here one coroutine per topic.
 */
internal object BatchAndParallel : Sample(
    name = "batch-and-parallel",
    title = "A batch of 100 to batch-topic, and parallel sends to several topics",
    notes = "002",
) {
    val topics = listOf("orders", "payments", "shipments")

    override suspend fun run(env: SampleEnvironment) {
        send(env)
    }

    /** Returns how many records each topic got. */
    suspend fun send(env: SampleEnvironment): Map<String, Int> {
        env.createTopic("batch-topic", partitions = 3)
        topics.forEach { env.createTopic(it, partitions = 3) }
        return kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
            val (batch, batchTime) = measureTimedValue { producer.sendAll((0 until 100).map { ProducerRecord("batch-topic", "key-$it", "Message $it") }) }
            val perPartition = batch.groupingBy { it.partition() }.eachCount().toSortedMap()
            env.println("100 messages to batch-topic in ${batchTime.inWholeMilliseconds} ms; per partition: $perPartition")

            val perTopic = env.scaled(50)
            val (parallel, parallelTime) =
                measureTimedValue {
                    coroutineScope {
                        topics
                            .map { topic ->
                                async { topic to producer.sendAll((0 until perTopic).map { ProducerRecord(topic, "key-$it", "$topic message $it") }).size }
                            }.awaitAll()
                    }
                }
            env.println("${topics.size} topics in parallel, $perTopic messages each, in ${parallelTime.inWholeMilliseconds} ms: ${parallel.toMap()}")
            mapOf("batch-topic" to batch.size) + parallel
        }
    }
}
