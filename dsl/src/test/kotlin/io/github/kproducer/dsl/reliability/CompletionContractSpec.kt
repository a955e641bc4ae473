package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerConfig
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.assertions.withClue
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeSortedWith
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.KafkaException
import java.util.Collections
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Every record accepted before `close` ends, and says how: delivered, or failed with Kafka's
 * exception; its future completed, its `onError` handler called, its suspended caller resumed, all
 * before `close` returns. Futures complete in each partition's offset order, and `flush`/`close`
 * return only once every earlier future has completed.
 */
class CompletionContractSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { autoCreateTopics = false }

        fun producer(configure: KProducerConfig<String, String>.() -> Unit): KProducer<String, String> =
            kafkaProducer {
                bootstrapServers = kafka.bootstrapServers
                configure()
            }

        /** The cause a future completed with, unwrapped; fails the test if it is not done. */
        fun CompletableFuture<*>.failure(): Throwable? {
            withClue("the future is done") { isDone shouldBe true }
            return try {
                get(0, TimeUnit.MILLISECONDS)
                null
            } catch (e: ExecutionException) {
                e.cause
            } catch (e: CompletionException) {
                e.cause
            } catch (e: java.util.concurrent.CancellationException) {
                e
            }
        }

        test("close fails every record still queued in a lane: futures with Kafka's exception, offers through onError, callers resumed") {
            val handled = AtomicInteger()
            val producer =
                producer {
                    // The topic never appears, so every record waits in its lane for its whole maxBlock.
                    maxBlock = 30.seconds
                    onError { _, e -> if (e is KafkaException) handled.incrementAndGet() }
                }
            val futures = (1..20).map { producer.sendAsync(ProducerRecord("never-close", "f$it", "v")) }
            repeat(20) { producer.offer(ProducerRecord("never-close", "o$it", "v")) }
            val outcomes =
                withTimeout(20.seconds) {
                    coroutineScope {
                        val sends = (1..20).map { async(Dispatchers.Default) { runCatching { producer.send("never-close", "s$it", "v") } } }
                        val batch = producer.sendAllAsync((1..5).map { ProducerRecord("never-close", "b$it", "v") })
                        delay(300.milliseconds)
                        withContext(Dispatchers.IO) { producer.close(500.milliseconds) }
                        // Everything ended by the time close returned.
                        futures.forEach { f -> f.failure().shouldBeInstanceOf<KafkaException>().message shouldContain "closed" }
                        batch.failure().shouldBeInstanceOf<KafkaException>()
                        handled.get() shouldBe 20
                        sends.awaitAll()
                    }
                }
            outcomes.forEach { outcome ->
                val error = outcome.exceptionOrNull()
                error.shouldBeInstanceOf<KafkaException>()
                (error is CancellationException) shouldBe false
            }
            producer.metrics().inFlight shouldBe 0
        }

        test("close(ZERO) with 2,000 offers in flight calls onError for every one before it returns") {
            kafka.createTopic("close-offers", partitions = 3)
            val handled = AtomicInteger()
            val producer =
                producer {
                    linger = 10.seconds
                    batchSize = 1024 * 1024
                    onError { _, _ -> handled.incrementAndGet() }
                }
            producer.send("close-offers", "warm", "up")
            repeat(2_000) { producer.offer(ProducerRecord("close-offers", "k$it", "v$it")) }
            withContext(Dispatchers.IO) { producer.close(Duration.ZERO) }
            handled.get() shouldBe 2_000
        }

        test("the Java forms of flush, sendAll and transaction end with Kafka's exception at close, never as cancelled") {
            val plain = producer { maxBlock = 30.seconds }
            val flushed =
                run {
                    plain.sendAsync(ProducerRecord("never-java", "k", "v"))
                    plain.flushAsync()
                }
            val batch = plain.sendAllAsync(listOf(ProducerRecord("never-java", "k", "v")))
            delay(200.milliseconds)
            withContext(Dispatchers.IO) { plain.close(200.milliseconds) }
            // flush promised to wait for every earlier record: they all ended (failed) at close, so it returns.
            flushed.failure().let { if (it != null) it.shouldBeInstanceOf<KafkaException>() }
            batch.failure().shouldBeInstanceOf<KafkaException>()

            val transactional =
                producer {
                    transactionalId = "close-java-tx"
                    maxBlock = 30.seconds
                }
            kafka.createTopic("close-java-tx")
            val transaction =
                transactional.transactionAsync { tx ->
                    tx.sendAsync(ProducerRecord("close-java-tx", "k", "committed?"))
                    tx.sendAsync(ProducerRecord("never-java-tx", "k", "never"))
                }
            delay(1.seconds)
            withContext(Dispatchers.IO) { transactional.close(200.milliseconds) }
            withTimeout(10.seconds) { while (!transaction.isDone) delay(10) }
            transaction.failure().shouldBeInstanceOf<KafkaException>()
        }

        test("sendAsync futures of one partition complete in offset order, as Kafka's callbacks do") {
            kafka.createTopic("offset-order", partitions = 1)
            producer { linger = 20.milliseconds }.use { producer ->
                producer.send("offset-order", "warm", "up")
                val offsets = Collections.synchronizedList(ArrayList<Long>())
                val futures =
                    (1..2_000).map { i ->
                        producer.sendAsync(ProducerRecord("offset-order", "k$i", "v$i")).thenApply { offsets += it.offset() }
                    }
                futures.forEach { it.join() }
                offsets shouldHaveSize 2_000
                offsets.shouldBeSortedWith(Comparator.naturalOrder())
            }
        }

        test("flush and close return only after every earlier future has completed") {
            kafka.createTopic("flush-futures", partitions = 3)
            producer { linger = 50.milliseconds }.use { producer ->
                producer.send("flush-futures", "warm", "up")
                repeat(5) { round ->
                    val futures = (1..100).map { producer.sendAsync(ProducerRecord("flush-futures", "k$it", "r$round")) }
                    producer.flush()
                    futures.count { it.isDone } shouldBe 100
                }
                val last = (1..100).map { producer.sendAsync(ProducerRecord("flush-futures", "k$it", "last")) }
                withContext(Dispatchers.IO) { producer.close(10.seconds) }
                last.count { it.isDone } shouldBe 100
                last.forEach { it.failure() shouldBe null }
            }
        }
    })
