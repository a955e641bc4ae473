package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.github.kproducer.testkit.shouldHaveHeader
import io.github.kproducer.testkit.shouldHaveKey
import io.github.kproducer.testkit.shouldHaveOffset
import io.github.kproducer.testkit.shouldHavePartition
import io.github.kproducer.testkit.shouldHaveTimestamp
import io.github.kproducer.testkit.shouldHaveTopic
import io.github.kproducer.testkit.shouldHaveValue
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.errors.TimeoutException
import java.time.Instant
import java.util.concurrent.ExecutionException
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class KProducerSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { autoCreateTopics = false }

        fun producer(configure: KProducerConfig<String, String>.() -> Unit = {}) =
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                configure()
            }

        test("send returns the metadata of the record the broker stored") {
            kafka.createTopic("CustomerCountry", partitions = 3)
            producer().use { producer ->
                val metadata = producer.send("CustomerCountry", "Precision Products", "France")
                val stored = kafka.readStrings("CustomerCountry", 1).single() shouldHaveKey "Precision Products" shouldHaveValue "France"
                metadata
                    .shouldHaveTopic("CustomerCountry")
                    .shouldHavePartition(stored.partition())
                    .shouldHaveOffset(stored.offset())
                metadata.timestamp() shouldBe stored.timestamp()
            }
        }

        test("a record built with the send block keeps its partition, timestamp and headers") {
            kafka.createTopic("user-events", partitions = 3)
            producer().use { producer ->
                producer.send("user-events") {
                    key = "order-456"
                    value = """{"userId":"u1","action":"LOGIN"}"""
                    partition = 2
                    timestamp = Instant.ofEpochMilli(1_700_000_000_000)
                    header("transactionId", "tx-9")
                    header("sourceType", byteArrayOf(1, 2))
                }
            }
            kafka
                .readStrings("user-events", 1)
                .single()
                .shouldHavePartition(2)
                .shouldHaveTimestamp(1_700_000_000_000)
                .shouldHaveHeader("transactionId", "tx-9")
                .shouldHaveHeader("sourceType", byteArrayOf(1, 2))
        }

        test("with acks = NONE the broker acknowledges nothing, so the offset is unknown") {
            kafka.createTopic("fire-and-forget")
            producer { acks = Acks.NONE }.use { producer ->
                producer.send("fire-and-forget", "k", "v").offset() shouldBe -1L
            }
            kafka.readStrings("fire-and-forget", 1) shouldHaveSize 1
        }

        test("a record above the topic's max.message.bytes fails from send with the broker's RecordTooLargeException") {
            kafka.createTopic("small", configs = mapOf("max.message.bytes" to "1024"))
            producer { compression = Compression.NONE }.use { producer ->
                shouldThrow<RecordTooLargeException> { producer.send("small", "k", "x".repeat(4096)) }
                producer.send("small", "k", "fits").offset() shouldBe 0L
            }
        }

        test("a record above max.request.size fails from send before it leaves the client") {
            kafka.createTopic("client-limit")
            producer { maxRequestSize = 1000 }.use { producer ->
                val error = shouldThrow<RecordTooLargeException> { producer.send("client-limit", "k", "x".repeat(2000)) }
                error.message shouldContain "max.request.size"
            }
        }

        test("a serializer that throws fails the send with Kafka's SerializationException") {
            kafka.createTopic("bad-values")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                valueSerializer { _, _ -> throw IllegalStateException("cannot encode") }
            }.use { producer ->
                val error = shouldThrow<SerializationException> { producer.send("bad-values", "k", "v") }
                error.message shouldContain "value serializer failed for a record to topic 'bad-values'"
                error.message shouldContain "IllegalStateException: cannot encode"
            }
        }

        test("a send to a topic that does not exist times out after maxBlock naming the topic and the servers") {
            producer { maxBlock = 1.seconds }.use { producer ->
                val error = shouldThrow<TimeoutException> { producer.send("no-such-topic", "k", "v") }
                error.message shouldContain "no-such-topic"
                error.message shouldContain kafka.bootstrapServers
            }
        }

        test("offer delivers without waiting, and its failures reach the onError handler with the record") {
            kafka.createTopic("offers", configs = mapOf("max.message.bytes" to "1024"))
            val failed = CompletableDeferred<Pair<ProducerRecord<String, String>, Exception>>()
            producer {
                compression = Compression.NONE
                onError { record, exception -> failed.complete(record to exception) }
            }.use { producer ->
                producer.offer("offers", "ok", "small")
                // Alone in its batch: a too-large record batched with others makes the client split and retry.
                producer.flush()
                val tooBig = ProducerRecord("offers", "big", "x".repeat(4096))
                producer.offer(tooBig)
                val (record, exception) = withTimeout(30.seconds) { failed.await() }
                record shouldBeSameInstanceAs tooBig
                exception.shouldBeInstanceOf<RecordTooLargeException>()
            }
            kafka.readStrings("offers", 1).single().value() shouldBe "small"
        }

        test("sendAsync completes with the metadata, or exceptionally with Kafka's exception") {
            kafka.createTopic("async", configs = mapOf("max.message.bytes" to "1024"))
            producer { compression = Compression.NONE }.use { producer ->
                producer.sendAsync("async", "k", "v").await().offset() shouldBe 0L
                val error = shouldThrow<ExecutionException> { producer.sendAsync("async", "k", "x".repeat(4096)).get() }
                error.cause.shouldBeInstanceOf<RecordTooLargeException>()
            }
        }

        test("flush waits until every offered record is acknowledged") {
            kafka.createTopic("flushed", partitions = 2)
            producer { linger = 2.seconds }.use { producer ->
                repeat(100) { producer.offer("flushed", "k$it", "v$it") }
                producer.flush()
                kafka.readStrings("flushed", 100, timeout = 1.seconds) shouldHaveSize 100
            }
        }

        test("records sent one after another land in their partition in that order, across the first metadata wait") {
            kafka.createTopic("ordered", partitions = 3)
            producer().use { producer ->
                // The first records wait for the topic's metadata in its lane; later ones go straight to Kafka.
                repeat(300) { producer.offer("ordered", "key-${it % 3}", "$it") }
                repeat(30) { producer.send("ordered", "key-${it % 3}", "${300 + it}") }
                producer.flush()
            }
            val records = kafka.readStrings("ordered", 330)
            for ((key, ofKey) in records.groupBy { it.key() }) {
                val values = ofKey.sortedBy { it.offset() }.map { it.value()!!.toInt() }
                values shouldBe values.sorted()
                values shouldHaveSize 110
                ofKey.map { it.partition() }.toSet() shouldHaveSize 1
                key shouldContain "key-"
            }
        }

        test("cancelling a waiting send stops the waiting, and the record is still delivered") {
            kafka.createTopic("cancelled")
            producer { linger = 1500.milliseconds }.use { producer ->
                producer.send("cancelled", "warm-up", "metadata") // the topic's metadata is now known
                coroutineScope {
                    val waiting = launch { producer.send("cancelled", "k", "sent before cancel") }
                    delay(200)
                    waiting.cancel()
                    waiting.join()
                    waiting.isCancelled shouldBe true
                }
            }
            eventually(10.seconds) {
                kafka.readStrings("cancelled", 2).map { it.value() } shouldBe listOf("metadata", "sent before cancel")
            }
        }

        test("after close every send fails clearly, and close can be called again") {
            kafka.createTopic("closing")
            val producer = producer()
            producer.send("closing", "k", "v")
            producer.close()
            producer.close()
            producer.isClosed shouldBe true
            shouldThrow<IllegalStateException> { producer.send("closing", "k", "v") }.message shouldContain "closed"
            shouldThrow<IllegalStateException> { producer.offer("closing", "k", "v") }
            shouldThrow<IllegalStateException> { producer.sendAsync("closing", "k", "v") }
            shouldThrow<IllegalStateException> { producer.flush() }
        }
    })
