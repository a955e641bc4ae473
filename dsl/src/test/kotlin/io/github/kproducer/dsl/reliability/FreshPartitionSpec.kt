package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerConfig
import io.github.kproducer.dsl.asKProducer
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.readAllStrings
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.errors.OutOfOrderSequenceException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.protocol.ApiKeys
import org.apache.kafka.common.protocol.Errors
import org.apache.kafka.common.serialization.StringSerializer
import java.util.Collections
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * KAFKA-15591 on demand: the first Produce request naming a new topic is answered with the retriable
 * `NOT_LEADER_OR_FOLLOWER` (what a leader that has not opened a new partition yet answers), while 20 ms
 * of latency each way keeps further requests in flight behind it. A broker up to 4.4 that holds no state
 * for the producer appends the second request, and refuses every retry of the first with
 * `OUT_OF_ORDER_SEQUENCE_NUMBER` until `delivery.timeout.ms`. A raw `KafkaProducer` loses the first
 * request's records (the fault bites); every entry point of the DSL keeps every record, once, in send
 * order per partition, with no failed send. (A transactional `KafkaProducer` is not hit on a 4.4 broker:
 * transactions v2 make the broker refuse a first sequence above 0 from a producer it has no state for;
 * the transaction case shows that the guard costs a transaction nothing either.)
 */
class FreshPartitionSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { faultProxy = true }

        for (partitions in listOf(1, 12)) {
            for (keyed in listOf(false, true)) {
                val shape = "$partitions partition${if (partitions > 1) "s" else ""}, ${if (keyed) "keyed" else "keyless"}"

                test("a raw KafkaProducer loses records to the fault ($shape): the fault bites") {
                    val topic = topicName("raw", partitions, keyed)
                    kafka.createTopic(topic, partitions)
                    val failed = Collections.synchronizedList(ArrayList<Int>())
                    kafka.withFirstProduceRefused(topic) {
                        KafkaProducer(rawSettings(kafka, topic), StringSerializer(), StringSerializer()).use { producer ->
                            for (i in 0 until RECORDS) {
                                producer.send(record(topic, i, keyed)) { _, e -> if (e != null) failed += i }
                            }
                            producer.flush()
                        }
                    }
                    val stored = kafka.readAllStrings(topic, timeout = 60.seconds)
                    println("[figures] fresh partitions, raw KafkaProducer, $shape: ${failed.size} of $RECORDS failed, ${stored.size} stored")
                    failed.size shouldBeGreaterThan 0
                    stored.size shouldBe RECORDS - failed.size
                }

                for (entry in Entry.entries) {
                    test("${entry.label} keeps every record once, in send order, through the fault ($shape)") {
                        val topic = topicName(entry.name.lowercase(), partitions, keyed)
                        kafka.createTopic(topic, partitions)
                        val started = TimeSource.Monotonic.markNow()
                        kafka.withFirstProduceRefused(topic) {
                            kafkaProducer<String, String> {
                                tight(kafka, topic)
                                if (entry == Entry.TRANSACTION) transactionalId = "$topic-1"
                            }.use { producer ->
                                withTimeout(2.minutes) { entry.send(producer, (0 until RECORDS).map { record(topic, it, keyed) }) }
                            }
                        }
                        println("[figures] fresh partitions, ${entry.label}, $shape: $RECORDS records in ${started.elapsedNow().inWholeMilliseconds} ms")
                        kafka.readAllStrings(topic, 60.seconds, IsolationLevel.READ_COMMITTED).shouldBeEveryRecordOnceInOrder()
                    }
                }
            }
        }

        test("records sent while the records behind a first write are still handed over queue behind them: order holds") {
            // Found by the loaded fresh-topic race: once the first write was acknowledged, new records went straight to
            // Kafka while the partition's lane still handed over the ones that had waited, and overtook them.
            val topic = "fresh-drain"
            kafka.createTopic(topic)
            kafka.faults { latency(20.milliseconds) }.use {
                kafkaProducer<String, String> {
                    tight(kafka, topic)
                    deliveryTimeout = 1.minutes
                    requestTimeout = 30.seconds
                }.use { producer ->
                    withTimeout(2.minutes) {
                        val held = (0 until HELD).map { producer.sendAsync(topic, "k", "$it") }
                        held.first().await() // the first write is acknowledged: the partition's lane now hands over the rest
                        val after = (HELD until HELD + AFTER).map { producer.sendAsync(topic, "k", "$it") }
                        (held + after).forEach { it.await() }
                    }
                }
            }
            val values = kafka.readAllStrings(topic, timeout = 60.seconds).sortedBy { it.offset() }.map { it.value()!!.toInt() }
            values.size shouldBe HELD + AFTER
            values.zipWithNext().firstOrNull { (a, b) -> b < a }?.let { (a, b) -> throw AssertionError("record $b was written after $a") }
        }

        test("a KafkaProducer wrapped with asKProducer is guarded too: every record once, in send order, through the fault") {
            val topic = "fresh-wrapped"
            kafka.createTopic(topic, 3)
            kafka.withFirstProduceRefused(topic) {
                KafkaProducer(rawSettings(kafka, topic), StringSerializer(), StringSerializer()).asKProducer().use { producer ->
                    withTimeout(2.minutes) { producer.sendAll((0 until RECORDS).map { record(topic, it, keyed = true) }) }
                }
            }
            kafka.readAllStrings(topic, timeout = 60.seconds).shouldBeEveryRecordOnceInOrder()
        }

        test("a wrapped producer kproducer cannot see into is not guarded, and a record it loses to the fault says KAFKA-15591 and the fix") {
            val topic = "fresh-decorated"
            kafka.createTopic(topic)
            kafka.withFirstProduceRefused(topic) {
                val raw = KafkaProducer(rawSettings(kafka, topic), StringSerializer(), StringSerializer())
                // A decorator, as tracing or metrics libraries wrap a producer: kproducer cannot tell which partition it will pick.
                val decorated = object : Producer<String, String> by raw {}
                decorated.asKProducer().use { producer ->
                    val sent = (0 until RECORDS).map { producer.sendAsync(record(topic, it, keyed = false)) }
                    val error = shouldThrow<TimeoutException> { withTimeout(1.minutes) { sent.first().await() } }
                    error.message!! shouldContain "since batch creation"
                    error.message!! shouldContain "KAFKA-15591"
                    error.message!! shouldContain "wrap the KafkaProducer itself"
                }
            }
        }

        test("OUT_OF_ORDER_SEQUENCE_NUMBER reaches the caller as Kafka's exception, explained with KAFKA-15591 and the fix") {
            val mock = MockKafkaProducer<String, String>()
            mock.failNextSends(1, OutOfOrderSequenceException("Out of order sequence number for producer 7 at offset 12 in partition t-0"))
            mock.asKProducer().use { producer ->
                val error = shouldThrow<OutOfOrderSequenceException> { producer.send("t", "k", "v") }
                error.message!! shouldContain "Out of order sequence number for producer 7"
                error.message!! shouldContain "KAFKA-15591"
                error.message!! shouldContain "Create topics before producing and wait until their partitions serve"
                error.cause.shouldBeInstanceOf<OutOfOrderSequenceException>()
            }
        }

        test("a custom partitioner is asked once per record while partitions are new, and its answer is where the record goes") {
            val topic = "fresh-partitioner"
            kafka.createTopic(topic, 4)
            val asked = AtomicInteger()
            kafka.withFirstProduceRefused(topic) {
                kafkaProducer<String, String> {
                    tight(kafka, topic)
                    partitioner { _, _, value, _ ->
                        asked.incrementAndGet()
                        value!!.toInt() % 3
                    }
                }.use { producer ->
                    withTimeout(2.minutes) { producer.sendAll((0 until RECORDS).map { record(topic, it, keyed = false) }) }
                }
            }
            asked.get() shouldBe RECORDS
            val stored = kafka.readAllStrings(topic, timeout = 60.seconds)
            stored.shouldBeEveryRecordOnceInOrder()
            stored.filter { it.partition() != it.value()!!.toInt() % 3 }.shouldBeEmpty()
        }

        test("a custom partitioner that throws fails its record as Kafka does, also while partitions are new") {
            val topic = "fresh-partitioner-throws"
            kafka.createTopic(topic, 2)
            kafkaProducer<String, String> {
                tight(kafka, topic)
                partitioner { _, _, value, _ -> if (value == "bad") throw IllegalStateException("no partition for bad") else 0 }
            }.use { producer ->
                // The guard asks the partitioner ahead of Kafka; its failure must still reach the caller, not a partition of the guard's.
                val error = shouldThrow<Exception> { producer.send(topic, "k", "bad") }
                generateSequence<Throwable>(error) { it.cause }.mapNotNull { it.message }.joinToString() shouldContain "no partition for bad"
                producer.send(topic, "k", "good").partition() shouldBe 0
            }
            kafka.readAllStrings(topic).map { it.value() } shouldBe listOf("good")
        }

        test("records behind a first write that is never acknowledged fail after maxBlock, saying why; the first fails after deliveryTimeout") {
            val topic = "fresh-never"
            kafka.createTopic(topic)
            kafka.faults { produce(topic = topic) { respond(Errors.NOT_LEADER_OR_FOLLOWER) } }.use {
                kafkaProducer<String, String> {
                    tight(kafka, topic)
                    maxBlock = 1.seconds
                    deliveryTimeout = 4.seconds
                }.use { producer ->
                    val started = TimeSource.Monotonic.markNow()
                    val first = producer.sendAsync(topic, "k", "first")
                    val behind = producer.sendAsync(topic, "k", "behind")
                    val error = shouldThrow<TimeoutException> { withTimeout(30.seconds) { behind.await() } }
                    val waited = started.elapsedNow()
                    error.message!! shouldContain "did not acknowledge this producer's first record to it within maxBlock (1000 ms)"
                    error.message!! shouldContain "KAFKA-15591"
                    first.isDone shouldBe false
                    shouldThrow<TimeoutException> { withTimeout(30.seconds) { first.await() } }.message!! shouldContain "since batch creation"
                    println(
                        "[figures] fresh partitions: a record behind an unacknowledged first write failed after ${waited.inWholeMilliseconds} ms (maxBlock 1000 ms)",
                    )
                }
            }
        }

        test("close(ZERO) while records wait behind a first write ends every one of them before it returns") {
            val topic = "fresh-close"
            kafka.createTopic(topic)
            kafka.faults { produce(topic = topic) { respond(Errors.NOT_LEADER_OR_FOLLOWER) } }.use {
                val producer = kafkaProducer<String, String> { tight(kafka, topic) }
                val futures = (0 until 3).map { producer.sendAsync(topic, "k", "v$it") }
                eventually(10.seconds) { producer.metrics().inFlight shouldBe 3L }
                producer.close(Duration.ZERO)
                futures.forEach { it.isDone shouldBe true }
                val errors = futures.map { shouldThrow<KafkaException> { it.await() } }
                errors.drop(1).forEach { it.message!! shouldContain "closed before this record could be handed to Kafka" }
            }
        }

        test("records behind a first write do not wait out a long linger: flush() sends them") {
            val topic = "fresh-linger"
            kafka.createTopic(topic)
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                linger = 10.minutes
                deliveryTimeout = 11.minutes
                // Without the nudge the record behind would wait for the first one's linger, and fail after maxBlock.
                maxBlock = 10.seconds
            }.use { producer ->
                val futures = (0 until 3).map { producer.sendAsync(topic, "k", "v$it") }
                // flush() waits for the records behind to reach Kafka, then sends what lingers.
                withTimeout(30.seconds) {
                    producer.flush()
                    futures.map { it.await().offset() }
                } shouldBe listOf(0L, 1L, 2L)
            }
        }
    }) {
    /** The entry points of the DSL, each sending a list of records "at once". Each throws, or fails the test, when a record fails. */
    private enum class Entry(
        val label: String,
    ) {
        SEND("send") {
            override suspend fun send(
                producer: KProducer<String, String>,
                records: List<ProducerRecord<String, String>>,
            ) {
                // Undispatched: each coroutine hands its record over before the next one starts, so send order is list order.
                coroutineScope { records.map { async(start = CoroutineStart.UNDISPATCHED) { producer.send(it) } }.awaitAll() }
            }
        },
        SEND_ASYNC("sendAsync") {
            override suspend fun send(
                producer: KProducer<String, String>,
                records: List<ProducerRecord<String, String>>,
            ) {
                records.map { producer.sendAsync(it) }.forEach { it.await() }
            }
        },
        OFFER("offer") {
            override suspend fun send(
                producer: KProducer<String, String>,
                records: List<ProducerRecord<String, String>>,
            ) {
                records.forEach { producer.offer(it) }
                producer.flush()
                producer.metrics().failed shouldBe 0
            }
        },
        SEND_ALL("sendAll") {
            override suspend fun send(
                producer: KProducer<String, String>,
                records: List<ProducerRecord<String, String>>,
            ) {
                producer.sendAll(records).size shouldBe records.size
            }
        },
        FLOW("sendAll(Flow)") {
            override suspend fun send(
                producer: KProducer<String, String>,
                records: List<ProducerRecord<String, String>>,
            ) {
                producer.sendAll(records.asFlow()).toList().size shouldBe records.size
            }
        },
        TRANSACTION("transaction") {
            override suspend fun send(
                producer: KProducer<String, String>,
                records: List<ProducerRecord<String, String>>,
            ) {
                producer.transaction { sendAll(records) }
            }
        }, ;

        abstract suspend fun send(
            producer: KProducer<String, String>,
            records: List<ProducerRecord<String, String>>,
        )
    }

    companion object {
        const val RECORDS = 2_000

        /** Records that wait behind a first write, and records sent once it is acknowledged. */
        const val HELD = 100_000
        const val AFTER = 5_000

        fun topicName(
            what: String,
            partitions: Int,
            keyed: Boolean,
        ): String = "fresh-$what-$partitions-${if (keyed) "keyed" else "keyless"}"

        /** Record [i]: its value is its place in send order; keyed records spread over 24 keys. */
        fun record(
            topic: String,
            i: Int,
            keyed: Boolean,
        ): ProducerRecord<String, String> = ProducerRecord(topic, if (keyed) "key-${i % 24}" else null, "$i")

        /** Small batches sent at once, so that many requests go to a partition; a short delivery timeout ends a lost record soon. */
        fun KProducerConfig<String, String>.tight(
            kafka: EmbeddedKafka,
            topic: String,
        ) {
            bootstrapServers = kafka.bootstrapServers
            clientId = topic
            linger = 0.milliseconds
            batchSize = 2048
            requestTimeout = 2.seconds
            deliveryTimeout = 4.seconds
        }

        fun rawSettings(
            kafka: EmbeddedKafka,
            topic: String,
        ): Map<String, Any> =
            mapOf(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG to kafka.bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG to topic,
                ProducerConfig.LINGER_MS_CONFIG to 0,
                ProducerConfig.BATCH_SIZE_CONFIG to 2048,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 4_000,
            )

        /** Runs [block] while the first Produce request naming [topic] is refused as a leader that has not opened the partition would, with 20 ms latency each way. */
        inline fun <T> EmbeddedKafka.withFirstProduceRefused(
            topic: String,
            block: () -> T,
        ): T =
            faults {
                produce(topic = topic) { respond(Errors.NOT_LEADER_OR_FOLLOWER, times = 1) }
                latency(20.milliseconds)
            }.use { faults ->
                val result = block()
                faults.applied(ApiKeys.PRODUCE) shouldBe 1
                result
            }

        /** Every record 0 until [RECORDS] is stored once, and each partition holds its records in send order. */
        fun List<ConsumerRecord<String?, String?>>.shouldBeEveryRecordOnceInOrder() {
            map { it.value()!!.toInt() }.sorted() shouldBe (0 until RECORDS).toList()
            val outOfOrder =
                groupBy { it.partition() }.filterValues { inPartition ->
                    val sent = inPartition.sortedBy { it.offset() }.map { it.value()!!.toInt() }
                    sent != sent.sorted()
                }
            outOfOrder.keys.shouldBeEmpty()
        }
    }
}
