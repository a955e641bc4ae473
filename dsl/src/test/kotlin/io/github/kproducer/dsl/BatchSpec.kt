package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import io.github.kproducer.testkit.readStrings
import io.github.kproducer.testkit.shouldPreserveOrderPerKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.newSingleThreadContext
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.RecordTooLargeException
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

@OptIn(ExperimentalCoroutinesApi::class, DelicateCoroutinesApi::class)
class BatchSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("sendAll returns each record's metadata in input order, and the partitions hold them in that order") {
            kafka.createTopic("batch-topic", partitions = 3)
            val records = (0 until 100).map { ProducerRecord("batch-topic", "key-${it % 7}", "message-$it") }
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { producer ->
                val metadata = producer.sendAll(records)
                metadata shouldHaveSize 100
                metadata.zip(records).forEach { (m, r) -> m.topic() shouldBe r.topic() }
                val stored = kafka.readStrings("batch-topic", 100)
                val byPosition = stored.associateBy { it.partition() to it.offset() }
                metadata.zip(records).forEach { (m, r) -> byPosition.getValue(m.partition() to m.offset()).value() shouldBe r.value() }
                stored.shouldPreserveOrderPerKey(records)
            }
        }

        test("fail-fast: the first failure is thrown and no further record is handed over") {
            val mock = MockKafkaProducer<String, String>()
            mock.failOnAttempt(3, NotEnoughReplicasException("third"))
            val producer = mock.asKProducer { maxInFlightRecords = 1 }
            val records = (0 until 10).map { ProducerRecord("t", "k", "$it") }
            shouldThrow<NotEnoughReplicasException> { producer.sendAll(records) }
            // One record in flight at a time: the third failed before the fourth could be handed over.
            mock.history().map { it.value() } shouldBe listOf("0", "1", "2")
        }

        test("settled: every record is sent and each result says how it ended") {
            val mock = MockKafkaProducer<String, String>()
            mock.failWhen(RecordTooLargeException("too big")) { it.value() == "2" }
            val results = mock.asKProducer().sendAllSettled((0 until 5).map { ProducerRecord("t", "k", "$it") })
            results.map { it.isSuccess } shouldBe listOf(true, true, false, true, true)
            (results[2].exception is RecordTooLargeException) shouldBe true
            results[3].getOrThrow().offset() shouldBe 2L
            shouldThrow<RecordTooLargeException> { results[2].getOrThrow() }
        }

        test("at most maxInFlightRecords are handed over and unacknowledged at once") {
            val mock = MockKafkaProducer<String, String> { completion = Completion.MANUAL }
            val producer = mock.asKProducer { maxInFlightRecords = 5 }
            val sending = async { producer.sendAll((0 until 20).map { ProducerRecord("t", "k", "$it") }) }
            var peak = 0
            while (!sending.isCompleted) {
                delay(5)
                peak = maxOf(peak, mock.pending().size)
                mock.completeNext()
            }
            sending.await() shouldHaveSize 20
            peak shouldBeLessThanOrEqual 5
            peak shouldBe 5
        }

        test("a window larger than the ring it starts with fills up to maxInFlightRecords and no further: sendAll, sendAllSettled and both flows") {
            val forms: List<Pair<String, suspend (KProducer<String, String>, List<ProducerRecord<String, String>>) -> Int>> =
                listOf(
                    "sendAll" to { p, r -> p.sendAll(r).size },
                    "sendAllSettled" to { p, r -> p.sendAllSettled(r).size },
                    "sendAll(flow)" to { p, r -> p.sendAll(r.asFlow()).toList().size },
                    "sendAllSettled(flow)" to { p, r -> p.sendAllSettled(r.asFlow()).toList().size },
                )
            for ((form, send) in forms) {
                val mock = MockKafkaProducer<String, String> { completion = Completion.MANUAL }
                val producer = mock.asKProducer { maxInFlightRecords = 3_000 }
                val records = (0 until 10_000).map { ProducerRecord("t", "k", "$it") }
                val sending = async { send(producer, records) }
                // The ring starts at 1,024 slots and grows; the sender stops at 3,000 handed over and unacknowledged.
                withTimeout(10.seconds) { while (mock.pending().size < 3_000) delay(1) }
                delay(50)
                withClue(form) { mock.pending().size shouldBe 3_000 }
                var peak = 0
                withTimeout(30.seconds) {
                    while (!sending.isCompleted) {
                        peak = maxOf(peak, mock.pending().size)
                        mock.completeAll()
                        yield()
                    }
                }
                withClue(form) {
                    sending.await() shouldBe 10_000
                    peak shouldBeLessThanOrEqual 3_000
                    mock.history().map { it.value() } shouldBe records.map { it.value() }
                }
            }
        }

        test("the flow form emits metadata in input order, and the settled flow emits failures without failing") {
            val mock = MockKafkaProducer<String, String> { topic("t", partitions = 4) }
            val producer = mock.asKProducer()
            val records = (0 until 50).map { ProducerRecord("t", "k-$it", "$it") }
            val emitted = producer.sendAll(records.asFlow()).toList()
            mock.history().map { it.value() } shouldBe records.map { it.value() }
            // Emitted in input order: the n-th metadata belongs to the n-th record.
            emitted.zip(mock.history()).forEach { (m, r) -> m.partition() shouldBe r.partition() }
            emitted.groupBy { it.partition() }.values.forEach { perPartition ->
                perPartition.map { it.offset() } shouldBe perPartition.indices.map { it.toLong() }
            }

            mock.failWhen(NotEnoughReplicasException("odd")) { it.value().toInt() % 2 == 1 }
            val settled = producer.sendAllSettled((0 until 6).map { ProducerRecord("t", "k", "$it") }.asFlow()).toList()
            settled.map { it.record.value() to it.isSuccess } shouldBe (0 until 6).map { "$it" to (it % 2 == 0) }
            shouldThrow<NotEnoughReplicasException> { producer.sendAll((0 until 6).map { ProducerRecord("t", "k", "$it") }.asFlow()).toList() }
        }

        test(
            "under back-pressure from a tiny buffer, a flow of 5 MiB suspends instead of blocking, and holds no more records than the buffer: another coroutine on the same thread keeps running",
        ) {
            kafka.createTopic("backpressure", partitions = 2)
            kafkaProducer<String, ByteArray> {
                bootstrapServers = kafka.bootstrapServers
                bufferMemory = 64L * 1024
                batchSize = 16 * 1024
                maxRequestSize = 32 * 1024
                linger = 20.milliseconds
            }.use { producer ->
                val value = ByteArray(1024) { 7 }
                newSingleThreadContext("only-thread").use { single ->
                    withContext(single) {
                        var ticks = 0
                        val ticker =
                            launch {
                                while (isActive) {
                                    ticks++
                                    delay(1)
                                }
                            }
                        var peakInFlight = 0L
                        val watcher =
                            launch {
                                while (isActive) {
                                    peakInFlight = maxOf(peakInFlight, producer.metrics().inFlight)
                                    delay(1)
                                }
                            }
                        // Metadata known and every partition written: what holds records back now is Kafka's buffer alone.
                        producer.sendAll((0 until 2).map { ProducerRecord("backpressure", it, "warm-up", value) })
                        val records = (0 until 5_000).map { ProducerRecord("backpressure", "key-${it % 10}", value) }
                        val metadata = producer.sendAll(records.asFlow()).toList()
                        ticker.cancel()
                        watcher.cancel()
                        metadata shouldHaveSize 5_000
                        // 5 MiB through a 64 KiB buffer takes many round trips; the thread stayed free for the ticker.
                        ticks shouldBeGreaterThan 10
                        // The window stopped growing once Kafka's buffer ran short: about the records 64 KiB holds (at most 64), not
                        // thousands of records waiting in lanes, each holding its 1 KiB value, up to maxInFlightRecords (10,000).
                        peakInFlight shouldBeGreaterThan 0L
                        peakInFlight shouldBeLessThanOrEqual 200L
                    }
                }
                producer.metrics().failed shouldBe 0L
            }
            kafka.readStrings("backpressure", 5_002) shouldHaveSize 5_002
        }
    })
