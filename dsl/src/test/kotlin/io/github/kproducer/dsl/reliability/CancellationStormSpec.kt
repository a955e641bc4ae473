package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerConfig
import io.github.kproducer.dsl.internal.DefaultKProducer
import io.github.kproducer.dsl.internal.send.FirstWriteGuard
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.KafkaException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * Ten thousand suspended sends cancelled at once, and close() while sends are in flight. Cancelling a
 * send stops the caller's waiting only (the record was handed to Kafka and is still delivered); the
 * producer goes on, and no coroutine or thread is left behind.
 */
class CancellationStormSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { autoCreateTopics = false }
        val storm = 10_000

        fun producer(
            clientId: String,
            configure: KProducerConfig<String, String>.() -> Unit = {},
        ): KProducer<String, String> =
            kafkaProducer {
                bootstrapServers = kafka.bootstrapServers
                this.clientId = clientId
                // Records wait in the accumulator, so every send is still in flight when it is cancelled.
                linger = 3.seconds
                batchSize = 1024 * 1024
                configure()
            }

        /**
         * Has every partition of [topic] acknowledge a record, so that the sends after it go straight into Kafka's
         * accumulator: until a partition has acknowledged one record of the producer, the ones behind its first wait in
         * the partition's lane (FirstWriteGuard), where cancelling withdraws them, and Kafka is told to send at once.
         */
        suspend fun KProducer<String, String>.warmUp(
            topic: String,
            partitions: Int,
        ) {
            (0 until partitions).map { sendAsync(ProducerRecord(topic, it, "warm", "up")) }.also { flush() }.forEach { it.await() }
        }

        fun KProducer<*, *>.internalCoroutines(): Int = (this as DefaultKProducer<*, *>).javaCalls.runningCount()

        /** Starts [storm] sends under one parent, waits until all run and [ready] says they are in flight, cancels them all, and counts the outcomes. */
        suspend fun cancelStorm(
            producer: KProducer<String, String>,
            topic: String,
            ready: () -> Boolean,
        ): Pair<Int, Duration> {
            val launched = AtomicInteger()
            val cancelled = AtomicInteger()
            val completed = AtomicInteger()
            return coroutineScope {
                val parent =
                    launch(Dispatchers.Default) {
                        repeat(storm) { i ->
                            launch {
                                launched.incrementAndGet()
                                try {
                                    producer.send(topic, "key-${i % 100}", "value-$i")
                                    completed.incrementAndGet()
                                } catch (e: CancellationException) {
                                    cancelled.incrementAndGet()
                                    throw e
                                }
                            }
                        }
                    }
                eventually(30.seconds) {
                    launched.get() shouldBe storm
                    ready() shouldBe true
                }
                val started = TimeSource.Monotonic.markNow()
                parent.cancelAndJoin()
                val took = started.elapsedNow()
                parent.children.count() shouldBe 0
                (cancelled.get() + completed.get()) shouldBe storm
                cancelled.get() to took
            }
        }

        test("10,000 sends in flight are cancelled at once; their records are still delivered and the producer goes on") {
            kafka.createTopic("storm", partitions = 3)
            // No batch may leave before the cancel: under load, launching 10,000 sends took longer than a 3 s linger, and
            // one record was acknowledged before its caller was cancelled. flush() below sends them.
            val producer =
                producer("storm") {
                    linger = 10.minutes
                    deliveryTimeout = 11.minutes
                }
            producer.use {
                producer.warmUp("storm", partitions = 3)
                val (cancelled, took) = cancelStorm(producer, "storm") { producer.metrics().inFlight == storm.toLong() }
                cancelled shouldBe storm
                println("[figures] cancellation storm: $cancelled of $storm in-flight sends cancelled in ${took.inWholeMilliseconds} ms")

                // Cancelling stopped the waiting, not the delivery: Kafka still acknowledges every record.
                producer.flush()
                eventually(30.seconds) { producer.metrics().inFlight shouldBe 0 }
                producer.metrics().acknowledged shouldBe storm + 3L
                producer.metrics().failed shouldBe 0
                val after = producer.sendAsync(ProducerRecord("storm", "after", "storm"))
                producer.flush()
                withTimeout(10.seconds) { after.await() }
                producer.internalCoroutines() shouldBe 0
            }
            kafkaClientThreads("storm").shouldBeEmpty()
            kafka.readStrings("storm", storm + 4) shouldHaveSize storm + 4
        }

        test("10,000 sends queued behind a topic's first metadata fetch are cancelled; nothing stays queued") {
            val producer = producer("storm-lane") { maxBlock = 5.seconds }
            producer.use {
                // The topic does not exist yet (and is not created automatically), so every send waits in the topic's lane.
                val (cancelled, _) = cancelStorm(producer, "storm-lane") { true }
                cancelled shouldBe storm
                eventually(30.seconds) { producer.internalCoroutines() shouldBe 0 }
                kafka.createTopic("storm-lane")
                withTimeout(20.seconds) { producer.send("storm-lane", "after", "storm") }
                eventually(30.seconds) { producer.metrics().inFlight shouldBe 0 }
            }
            kafkaClientThreads("storm-lane").shouldBeEmpty()
        }

        /** Sends 1,000 records to [topic] that wait in the accumulator, closes the producer with [timeout], and returns every caller's outcome. */
        suspend fun closeWithPendingSends(
            topic: String,
            timeout: Duration,
        ): List<Result<RecordMetadata>> {
            kafka.createTopic(topic, partitions = 3)
            val producer = producer(topic)
            producer.warmUp(topic, partitions = 3)
            val outcomes =
                withTimeout(30.seconds) {
                    coroutineScope {
                        val sends = (1..1_000).map { i -> async(Dispatchers.Default) { runCatching { producer.send(topic, "k$i", "v$i") } } }
                        eventually(10.seconds) { producer.metrics().inFlight shouldBe 1_000L }
                        withContext(Dispatchers.IO) { producer.close(timeout) }
                        sends.awaitAll()
                    }
                }
            producer.metrics().inFlight shouldBe 0
            kafkaClientThreads(topic).shouldBeEmpty()
            return outcomes
        }

        test("close() with sends in flight lets them finish, and every waiting caller resumes with its metadata") {
            val outcomes = closeWithPendingSends("close-graceful", 20.seconds)
            outcomes.filter { it.isFailure }.shouldBeEmpty()
            kafka.readStrings("close-graceful", 1_003) shouldHaveSize 1_003
        }

        test("close(ZERO) with sends in flight fails them, and every waiting caller resumes with the reason") {
            val outcomes = closeWithPendingSends("close-now", Duration.ZERO)
            outcomes shouldHaveSize 1_000
            outcomes.forEach { outcome ->
                val error = outcome.exceptionOrNull()
                (error is KafkaException) shouldBe true
                error!!.message shouldContain "closed"
            }
        }
    })
