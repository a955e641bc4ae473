package io.github.kproducer.testkit

import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldEndWith
import io.kotest.matchers.string.shouldMatch
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerInterceptor
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.ProducerFencedException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.serialization.StringSerializer
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.ExecutionException
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit.SECONDS
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * The same scenarios, written once over `Producer<String, String>`, against the [MockKafkaProducer]
 * and against a real `KafkaProducer` on an embedded broker, with the same assertions: where the
 * mock claims to behave like the client, a divergence fails one side.
 *
 * The broker does not create topics on use, so that an unknown topic stays unknown, as in a mock
 * with `autoCreateTopics = false`. Where Kafka waits `max.block.ms` (an unknown topic or
 * partition), the real producer waits 500 ms and the mock 0 ms: the assertions accept any wait in
 * the message and check only that the failure comes through the callback and future.
 */
class MockVersusKafkaProducerSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension { autoCreateTopics = false })
        val sides = listOf(MockSide(), KafkaSide(kafka))

        /** Registers [scenario] once per side; every producer the scenario made is closed after it. */
        fun scenario(
            name: String,
            scenario: suspend Side.() -> Unit,
        ) {
            for (side in sides) {
                test("[${side.label}] $name") {
                    try {
                        side.scenario()
                    } finally {
                        side.closeAll()
                    }
                }
            }
        }

        scenario("a record is acknowledged at the partition it asked for, offsets counting from 0") {
            val producer = producer(mapOf("vs-basic" to 2))
            val calls = Calls()
            val metadata = (0 until 3).map { producer.send(ProducerRecord("vs-basic", 1, "k", "v$it"), calls).get(10, SECONDS) }
            metadata.map { it.topic() to it.partition() } shouldBe List(3) { "vs-basic" to 1 }
            metadata.map { it.offset() } shouldBe listOf(0L, 1L, 2L)
            metadata.map { it.serializedValueSize() } shouldBe listOf(2, 2, 2)
            calls.exceptions() shouldBe listOf(null, null, null)
        }

        scenario("interceptors' onAcknowledgement, then the callback, then the future: the callback has run when get() returns") {
            val events = CopyOnWriteArrayList<String>()
            val producer = producer(mapOf("vs-order" to 1), events = events)
            val sent = CompletableFuture<Future<RecordMetadata>>()
            val future =
                producer.send(ProducerRecord("vs-order", "k", "v")) { _, exception ->
                    // A bounded wait: `sent` holds the future as soon as send has returned it.
                    events += "callback (exception: $exception, future done: ${sent.get(10, SECONDS).isDone})"
                }
            sent.complete(future)
            future.get(10, SECONDS).offset() shouldBe 0L
            // No flush, no wait: the callback's effects are visible once the future is done.
            events shouldContainExactly listOf("onSend", "onAcknowledgement", "callback (exception: null, future done: false)")
        }

        scenario("an unknown topic fails the send through the callback, on the caller's thread before send returns, then the interceptors") {
            val events = CopyOnWriteArrayList<String>()
            val producer = producer(emptyMap(), events = events, maxBlockMs = SHORT_BLOCK_MS)
            val calls = Calls()
            val future = producer.send(ProducerRecord("vs-no-such-topic", "k", "v"), calls.also { it.events = events })
            val call = calls.single()
            call.exception.shouldBeInstanceOf<TimeoutException>().message!! shouldMatch
                Regex("""Topic vs-no-such-topic not present in metadata after \d+ ms\.""")
            call.thread shouldBeSameInstanceAs Thread.currentThread()
            call.metadata!!.partition() shouldBe -1
            call.metadata.offset() shouldBe -1L
            events shouldContainExactly listOf("onSend", "callback", "onAcknowledgement")
            future.isDone shouldBe true
            shouldThrow<ExecutionException> { future.get(10, SECONDS) }.cause shouldBeSameInstanceAs call.exception
        }

        scenario("an explicit partition beyond the topic's count fails the send with TimeoutException through the callback and future") {
            val producer = producer(mapOf("vs-partitions" to 2), maxBlockMs = SHORT_BLOCK_MS)
            val calls = Calls()
            val future = producer.send(ProducerRecord("vs-partitions", 5, "k", "v"), calls)
            val call = calls.single()
            call.exception.shouldBeInstanceOf<TimeoutException>().message!! shouldMatch
                Regex("""Partition 5 of topic vs-partitions with partition count 2 is not present in metadata after \d+ ms\.""")
            call.thread shouldBeSameInstanceAs Thread.currentThread()
            call.metadata!!.partition() shouldBe 5
            call.metadata.offset() shouldBe -1L
            future.isDone shouldBe true
            shouldThrow<ExecutionException> { future.get(10, SECONDS) }.cause shouldBeSameInstanceAs call.exception
        }

        scenario("a record above max.request.size fails the send through the callback before send returns") {
            val producer = producer(mapOf("vs-large" to 1))
            val calls = Calls()
            val future = producer.send(ProducerRecord("vs-large", "k", "x".repeat(2 * 1024 * 1024)), calls)
            val message =
                calls
                    .single()
                    .exception
                    .shouldBeInstanceOf<RecordTooLargeException>()
                    .message!!
            message shouldStartWith "The message is "
            message shouldEndWith "bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration."
            shouldThrow<ExecutionException> { future.get(10, SECONDS) }.cause shouldBeSameInstanceAs calls.single().exception
        }

        scenario("flush() inside a callback throws KafkaException; inside a callback run by send itself it is allowed") {
            val producer = producer(mapOf("vs-flush" to 1), maxBlockMs = SHORT_BLOCK_MS)
            val inCallback = CompletableFuture<Result<Unit>>()
            producer.send(ProducerRecord("vs-flush", "k", "v")) { _, _ -> inCallback.complete(runCatching { producer.flush() }) }.get(10, SECONDS)
            val refused = inCallback.getNow(null).shouldNotBeNullResult().exceptionOrNull()
            refused.shouldBeInstanceOf<KafkaException>().message shouldBe
                "KafkaProducer.flush() invocation inside a callback is not permitted because it may lead to deadlock."
            // A send-time failure calls back on the caller's thread, where Kafka lets flush run.
            val onCaller = CompletableFuture<Result<Unit>>()
            producer.send(ProducerRecord("vs-no-such-topic", "k", "v")) { _, _ -> onCaller.complete(runCatching { producer.flush() }) }
            onCaller.getNow(null).shouldNotBeNullResult().isSuccess shouldBe true
        }

        scenario("a send before initTransactions throws IllegalStateException from send") {
            val producer = producer(mapOf("vs-uninit" to 1), transactionalId = "vs-uninit-$label")
            shouldThrow<IllegalStateException> { producer.send(ProducerRecord("vs-uninit", "k", "v")) }.message shouldContain
                "before completing a call to initTransactions"
        }

        scenario("a second initTransactions throws IllegalStateException, and the producer goes on") {
            val id = "vs-init-twice-$label"
            val producer = producer(mapOf("vs-init-twice" to 1), transactionalId = id)
            producer.initTransactions()
            shouldThrow<IllegalStateException> { producer.initTransactions() }.message shouldBe
                "TransactionalId $id: Invalid transition attempted from state READY to state INITIALIZING"
            producer.beginTransaction()
            shouldThrow<IllegalStateException> { producer.initTransactions() }.message shouldBe
                "TransactionalId $id: Invalid transition attempted from state IN_TRANSACTION to state INITIALIZING"
            producer.send(ProducerRecord("vs-init-twice", "k", "v")).get(10, SECONDS).offset() shouldBe 0L
            producer.commitTransaction()
        }

        scenario("after close, send and every transactional call throw IllegalStateException, also for a null record or offsets") {
            val message = "Cannot perform operation after producer has been closed"
            val offsets = mapOf(TopicPartition("vs-in", 0) to OffsetAndMetadata(1))
            val calls =
                listOf<Pair<String, (Producer<String, String>) -> Unit>>(
                    "send" to { it.send(ProducerRecord("vs-closed", "k", "v")) },
                    // The closed check comes first, before anything looks at the record or the offsets.
                    "send(null)" to { it.send(null) },
                    "send(null, callback)" to { it.send(null) { _, _ -> } },
                    "sendOffsetsToTransaction(null)" to { it.sendOffsetsToTransaction(null, ConsumerGroupMetadata("vs-closed-group")) },
                    "initTransactions" to { it.initTransactions() },
                    "beginTransaction" to { it.beginTransaction() },
                    "sendOffsetsToTransaction" to { it.sendOffsetsToTransaction(offsets, ConsumerGroupMetadata("vs-closed-group")) },
                    "sendOffsetsToTransaction(empty)" to { it.sendOffsetsToTransaction(emptyMap(), ConsumerGroupMetadata("vs-closed-group")) },
                    "commitTransaction" to { it.commitTransaction() },
                    "abortTransaction" to { it.abortTransaction() },
                )
            val neverInitialized = producer(mapOf("vs-closed" to 1), transactionalId = "vs-closed-a-$label")
            val inTransaction = producer(emptyMap(), transactionalId = "vs-closed-b-$label")
            inTransaction.initTransactions()
            inTransaction.beginTransaction()
            // How long the close waits is not the point: what it leaves behind is.
            for (producer in listOf(neverInitialized, inTransaction)) producer.close(CLOSE_TIMEOUT)
            for ((name, call) in calls) {
                withClue("$name on a producer closed before initTransactions") {
                    shouldThrow<IllegalStateException> { call(neverInitialized) }.message shouldBe message
                }
                withClue("$name on a producer closed in a transaction") {
                    shouldThrow<IllegalStateException> { call(inTransaction) }.message shouldBe message
                }
            }
        }

        scenario("sendOffsetsToTransaction with empty offsets is ignored in every state and commits nothing") {
            val producer = producer(mapOf("vs-offsets" to 1), transactionalId = "vs-offsets-$label")
            val empty = ConsumerGroupMetadata("vs-empty-group-$label")
            producer.sendOffsetsToTransaction(emptyMap(), empty) // before initTransactions
            producer.initTransactions()
            producer.sendOffsetsToTransaction(emptyMap(), empty) // outside a transaction
            producer.beginTransaction()
            producer.sendOffsetsToTransaction(emptyMap(), empty)
            val offsets = mapOf(TopicPartition("vs-offsets", 0) to OffsetAndMetadata(7))
            val full = "vs-full-group-$label"
            producer.sendOffsetsToTransaction(offsets, ConsumerGroupMetadata(full))
            producer.send(ProducerRecord("vs-offsets", "k", "v")).get(10, SECONDS)
            producer.commitTransaction()
            // The offsets that were sent arrive (the broker writes them with the commit markers, shortly after the commit).
            eventually(10.seconds) { committedOffsets(producer, full) shouldBe offsets }
            // The empty ones, committed in the same transaction, left no group behind.
            committedOffsets(producer, empty.groupId()).shouldBeNull()
        }

        scenario("a fenced producer: send fails through the callback and future, transactional calls throw ProducerFencedException") {
            val id = "vs-fenced-$label"
            val producer = producer(mapOf("vs-fenced" to 1), transactionalId = id)
            producer.initTransactions()
            fence(producer, id, "vs-fenced")

            val calls = Calls()
            val future = producer.send(ProducerRecord("vs-fenced", "k", "zombie"), calls)
            val beforeReturn = calls.calls.toList()
            // Both call back on the calling thread before send returns. KafkaProducer has appended the record before
            // it finds itself fenced, so its Sender aborts that record too and calls back a second time on the network
            // thread: usually after send returns, but on a loaded machine it can come first. The mock calls back once.
            val onCaller = beforeReturn.filter { it.thread === Thread.currentThread() }
            onCaller.size shouldBe 1
            if (label == "mock") beforeReturn.size shouldBe 1
            val first = onCaller.single()
            val message = first.exception.shouldBeInstanceOf<ProducerFencedException>().message!!
            shouldBeFencedMessage(message, id, label)
            first.metadata!!.offset() shouldBe -1L
            future.isDone shouldBe true
            shouldThrow<ExecutionException> { future.get(10, SECONDS) }.cause shouldBeSameInstanceAs first.exception

            val offsets = mapOf(TopicPartition("vs-fenced", 0) to OffsetAndMetadata(1))
            shouldBeFencedMessage(shouldThrow<ProducerFencedException> { producer.beginTransaction() }.message!!, id, label)
            shouldThrow<ProducerFencedException> { producer.sendOffsetsToTransaction(offsets, ConsumerGroupMetadata("vs-fenced-group")) }
            shouldThrow<ProducerFencedException> { producer.commitTransaction() }
            shouldThrow<ProducerFencedException> { producer.abortTransaction() }
            shouldThrow<ProducerFencedException> { producer.initTransactions() }
            producer.sendOffsetsToTransaction(emptyMap(), ConsumerGroupMetadata("vs-fenced-group"))
        }
    })

/**
 * The message of a fenced producer's exception. The mock words it as KafkaProducer's TransactionManager
 * does when it fences itself. KafkaProducer has a second wording: when a broker's response is the one
 * that says PRODUCER_FENCED, it keeps Kafka's error message as it came (which of the two comes first
 * depends on the timing of the zombie's requests). Only the real client may use that one.
 */
private fun shouldBeFencedMessage(
    message: String,
    transactionalId: String,
    label: String,
) {
    if (label == "KafkaProducer" && message ==
        org.apache.kafka.common.protocol.Errors.PRODUCER_FENCED
            .message()
    ) {
        return
    }
    message shouldStartWith "Producer with transactionalId '$transactionalId'"
    message shouldEndWith "has been fenced by another producer with the same transactionalId"
}

/** `max.block.ms` of the real producers of scenarios about that wait (an unknown topic or partition). */
private const val SHORT_BLOCK_MS = 500

private val METADATA_WAIT = 15.seconds

private val CLOSE_TIMEOUT: Duration = Duration.ofSeconds(1)

private fun Result<Unit>?.shouldNotBeNullResult(): Result<Unit> = this ?: throw AssertionError("the callback had not run")

/** A callback that keeps every call, with the thread it ran on. */
private class Calls : Callback {
    class Call(
        val metadata: RecordMetadata?,
        val exception: Exception?,
        val thread: Thread,
    )

    val calls = CopyOnWriteArrayList<Call>()

    /** Where to log "callback" as it runs, beside an interceptor's events. */
    var events: MutableList<String>? = null

    override fun onCompletion(
        metadata: RecordMetadata?,
        exception: Exception?,
    ) {
        calls += Call(metadata, exception, Thread.currentThread())
        events?.add("callback")
    }

    fun single(): Call = calls.singleOrNull() ?: throw AssertionError("expected one callback call before send returned, got ${calls.size}")

    fun exceptions(): List<Exception?> = calls.map { it.exception }
}

/**
 * Logs `onSend` and `onAcknowledgement`: into the list it is given (mock), or, made by Kafka from
 * `interceptor.classes`, into the list registered for its producer's `client.id`.
 */
class MockVersusRecordingInterceptor() : ProducerInterceptor<String, String> {
    private var events: MutableList<String>? = null

    constructor(events: MutableList<String>) : this() {
        this.events = events
    }

    override fun configure(configs: MutableMap<String, *>) {
        events = events ?: logs.getValue(configs[ProducerConfig.CLIENT_ID_CONFIG] as String)
    }

    override fun onSend(record: ProducerRecord<String, String>): ProducerRecord<String, String> = record.also { events!! += "onSend" }

    override fun onAcknowledgement(
        metadata: RecordMetadata?,
        exception: Exception?,
    ) {
        events!! += "onAcknowledgement"
    }

    override fun close() = Unit

    internal companion object {
        val logs = ConcurrentHashMap<String, MutableList<String>>()
    }
}

/** One side of the comparison: producers over topics that exist, and a way to fence one. */
private abstract class Side(
    val label: String,
) {
    private val opened = CopyOnWriteArrayList<Producer<String, String>>()

    /**
     * A producer over [topics] (name to partition count; other topics are unknown), logging
     * interceptor calls into [events]; a real one waits at most [maxBlockMs] (`max.block.ms`) where
     * Kafka waits, and already has the metadata of [topics].
     */
    fun producer(
        topics: Map<String, Int>,
        transactionalId: String? = null,
        events: MutableList<String>? = null,
        maxBlockMs: Int = 10_000,
    ): Producer<String, String> = create(topics, transactionalId, events, maxBlockMs).also { opened += it }

    protected abstract fun create(
        topics: Map<String, Int>,
        transactionalId: String?,
        events: MutableList<String>?,
        maxBlockMs: Int,
    ): Producer<String, String>

    /** Makes [zombie], initialized with [transactionalId], a producer that knows it has been fenced. */
    abstract fun fence(
        zombie: Producer<String, String>,
        transactionalId: String,
        topic: String,
    )

    /** The offsets committed for [group], or `null` when no such group exists. */
    abstract fun committedOffsets(
        producer: Producer<String, String>,
        group: String,
    ): Map<TopicPartition, OffsetAndMetadata>?

    fun closeAll() {
        // A record a scenario left unsent (a send refused after Kafka appended it) would hold a longer close.
        opened.forEach { runCatching { it.close(CLOSE_TIMEOUT) } }
        opened.clear()
    }
}

private class MockSide : Side("mock") {
    override fun create(
        topics: Map<String, Int>,
        transactionalId: String?,
        events: MutableList<String>?,
        maxBlockMs: Int,
    ): Producer<String, String> =
        // The mock's metadata never changes, so it has nothing to wait for: maxBlockMs does not apply.
        MockKafkaProducer {
            autoCreateTopics = false
            topics.forEach { (name, partitions) -> topic(name, partitions) }
            this.transactionalId = transactionalId
            if (events != null) interceptors += MockVersusRecordingInterceptor(events)
        }

    override fun fence(
        zombie: Producer<String, String>,
        transactionalId: String,
        topic: String,
    ) = (zombie as MockKafkaProducer<String, String>).fence()

    override fun committedOffsets(
        producer: Producer<String, String>,
        group: String,
    ) = (producer as MockKafkaProducer<String, String>).committedOffsets()[group]
}

private class KafkaSide(
    private val kafka: EmbeddedKafka,
) : Side("KafkaProducer") {
    private val clients = AtomicInteger()

    override fun create(
        topics: Map<String, Int>,
        transactionalId: String?,
        events: MutableList<String>?,
        maxBlockMs: Int,
    ): Producer<String, String> {
        topics.forEach { (name, partitions) -> kafka.createTopic(name, partitions) }
        val clientId = "mock-versus-${clients.incrementAndGet()}"
        val config =
            kafka.connectionProperties() +
                mapOf(
                    ProducerConfig.CLIENT_ID_CONFIG to clientId,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG to maxBlockMs,
                ) +
                (if (transactionalId != null) mapOf(ProducerConfig.TRANSACTIONAL_ID_CONFIG to transactionalId) else emptyMap()) +
                (if (events != null) mapOf(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG to MockVersusRecordingInterceptor::class.java.name) else emptyMap())
        if (events != null) MockVersusRecordingInterceptor.logs[clientId] = events
        val producer = KafkaProducer<String, String>(config, StringSerializer(), StringSerializer())
        // The mock knows its topics from the start; the client learns them from the broker. Learn them now, so that a
        // short max.block.ms bounds only the wait the scenario is about, even on a loaded machine.
        for ((name, partitions) in topics) awaitMetadata(producer, name, partitions)
        return producer
    }

    private fun awaitMetadata(
        producer: Producer<String, String>,
        topic: String,
        partitions: Int,
    ) {
        val deadline = System.nanoTime() + METADATA_WAIT.inWholeNanoseconds
        var last: Exception? = null
        while (System.nanoTime() - deadline < 0) {
            try {
                // Each attempt blocks up to max.block.ms while the client asks the broker.
                if (producer.partitionsFor(topic).size == partitions) return
            } catch (e: TimeoutException) {
                last = e
            }
        }
        throw AssertionError("The producer did not learn the $partitions partitions of topic $topic within $METADATA_WAIT", last)
    }

    override fun fence(
        zombie: Producer<String, String>,
        transactionalId: String,
        topic: String,
    ) {
        // A newer instance with the same transactional.id bumps the epoch on the broker...
        producer(emptyMap(), transactionalId).initTransactions()
        // ...and the zombie learns it on its next contact: its record is rejected (InvalidProducerEpochException with
        // transactions v2), and the abort that follows is answered with ProducerFencedException, fatal from then on.
        zombie.beginTransaction()
        shouldThrow<ExecutionException> { zombie.send(ProducerRecord(topic, "k", "before it knows")).get(10, SECONDS) }
        shouldThrow<ProducerFencedException> { zombie.abortTransaction() }
    }

    override fun committedOffsets(
        producer: Producer<String, String>,
        group: String,
    ): Map<TopicPartition, OffsetAndMetadata>? =
        kafka.admin().use { admin ->
            if (admin
                    .listGroups()
                    .all()
                    .get(10, SECONDS)
                    .none { it.groupId() == group }
            ) {
                null
            } else {
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, SECONDS)
            }
        }
}
