package io.github.kproducer.samples

import io.github.kproducer.dsl.consumeTransformProduce
import io.github.kproducer.dsl.kafkaProducer
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes

/**
 * Study note 002's exactly-once: idempotence + a transactional id + read_committed consumers, as a
 * consume-transform-produce processor on a 3-broker cluster. A first instance stops halfway; a
 * second takes over with the same transactional id; the output has every order exactly once.
 */
internal object ExactlyOnce : Sample(
    name = "exactly-once",
    title = "Consume-transform-produce with transactions, restarted halfway",
    notes = "002",
    brokers = 3,
) {
    const val INPUT = "eos-orders"
    const val OUTPUT = "eos-orders-enriched"

    class Result(
        val inputs: Int,
        val byFirstInstance: Int,
        val committedOutputs: List<String>,
    )

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        val replicas = if (env.cluster != null && env.cluster.brokerIds.size >= 3) 3 else 1
        env.createTopic(INPUT, partitions = 3, replicationFactor = replicas)
        env.createTopic(OUTPUT, partitions = 3, replicationFactor = replicas)
        val count = env.scaled(1_000)
        kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
            producer.sendAll((0 until count).map { ProducerRecord(INPUT, "customer-${it % 10}", "order-$it") })
        }
        env.println("$count orders written to $INPUT")

        val processed = AtomicInteger()
        val halfway = CompletableDeferred<Unit>()
        coroutineScope {
            // Instance 1 processes until about half the orders are done, then is stopped.
            val first = launch(Dispatchers.Default) { process(env, "instance-1", processed, halfway, count / 2) }
            withTimeout(2.minutes) { halfway.await() }
            first.cancelAndJoin()
        }
        val byFirst = env.readAll(OUTPUT, IsolationLevel.READ_COMMITTED).size
        env.println("Instance 1 stopped after committing $byFirst outputs")
        coroutineScope {
            val second = launch(Dispatchers.Default) { process(env, "instance-2", processed, null, Int.MAX_VALUE) }
            withTimeout(2.minutes) {
                while (env.readAll(OUTPUT, IsolationLevel.READ_COMMITTED).size < count) delay(200.milliseconds)
            }
            second.cancelAndJoin()
        }
        val outputs = env.readAll(OUTPUT, IsolationLevel.READ_COMMITTED).map { it.value() }
        val duplicates = outputs.size - outputs.toSet().size
        env.println("Instance 2 finished: ${outputs.size} committed outputs for $count orders, $duplicates duplicates, ${count - outputs.toSet().size} missing")
        return Result(count, byFirst, outputs)
    }

    private suspend fun process(
        env: SampleEnvironment,
        instance: String,
        processed: AtomicInteger,
        halfway: CompletableDeferred<Unit>?,
        stopAfter: Int,
    ) {
        val consumer =
            env.newConsumer(
                mapOf(
                    ConsumerConfig.GROUP_ID_CONFIG to "exact-once-group",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG to "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG to false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG to "earliest",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG to 100,
                ),
            )
        consumer.subscribe(listOf(INPUT))
        try {
            kafkaProducer<String, String> {
                bootstrapServers = env.bootstrapServers
                transactionalId = "exact-once-id" // the same for both instances: the second fences the first
            }.use { producer ->
                producer.consumeTransformProduce(consumer) { order ->
                    if (processed.incrementAndGet() >= stopAfter) halfway?.complete(Unit)
                    listOf(ProducerRecord(OUTPUT, order.key(), "${order.value()} enriched by $instance"))
                }
            }
        } finally {
            consumer.close()
        }
    }
}
