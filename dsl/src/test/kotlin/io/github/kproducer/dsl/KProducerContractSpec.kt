package io.github.kproducer.dsl

import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.shouldHaveKey
import io.github.kproducer.testkit.shouldHavePartition
import io.github.kproducer.testkit.shouldHaveSent
import io.github.kproducer.testkit.shouldKeepEachKeyInOnePartition
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withTests
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotStartWith
import io.kotest.matchers.string.shouldStartWith
import io.mockk.every
import io.mockk.mockk
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.launch
import kotlinx.coroutines.newSingleThreadContext
import kotlinx.coroutines.supervisorScope
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.MockProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.Metric
import org.apache.kafka.common.MetricName
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.ProducerFencedException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.SaslAuthenticationException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TopicAuthorizationException
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.startCoroutine
import kotlin.time.Duration.Companion.seconds

/**
 * The DSL's own logic against producers that are not a broker: Kafka's MockProducer, and a
 * producer that completes callbacks on its own "I/O" thread, as the real client does.
 */
@OptIn(ExperimentalCoroutinesApi::class, kotlinx.coroutines.DelicateCoroutinesApi::class)
class KProducerContractSpec :
    FunSpec({
        /** A producer whose callbacks run on a thread named like Kafka's I/O thread, with a scripted result. */
        fun threadedProducer(result: (ProducerRecord<String, String>) -> Pair<RecordMetadata, Exception?>): Producer<String, String> {
            val io = Executors.newSingleThreadExecutor { Thread(it, "kafka-producer-network-thread | fake").apply { isDaemon = true } }
            val producer = mockk<Producer<String, String>>(relaxed = true)
            every { producer.send(any(), any()) } answers {
                val record = firstArg<ProducerRecord<String, String>>()
                val callback = secondArg<Callback>()
                val future = CompletableFuture<RecordMetadata>()
                io.execute {
                    val (metadata, exception) = result(record)
                    callback.onCompletion(metadata, exception)
                    if (exception == null) future.complete(metadata) else future.completeExceptionally(exception)
                }
                future
            }
            every { producer.metrics() } returns emptyMap()
            return producer
        }

        fun failedMetadata(record: ProducerRecord<*, *>) = RecordMetadata(TopicPartition(record.topic(), -1), -1, -1, -1, -1, -1)

        test("a wrapped MockProducer records what was sent and returns its metadata") {
            val mock = MockProducer(true, null, StringSerializer(), StringSerializer())
            mock.asKProducer().use { producer ->
                producer.send("CustomerCountry", "Biomedical Materials", "USA").topic() shouldBe "CustomerCountry"
                mock.history().map { it.key() to it.value() } shouldContainExactly listOf("Biomedical Materials" to "USA")
            }
            mock.closed() shouldBe true
        }

        test("a failed send throws Kafka's exception itself, not a wrapper") {
            val mock = MockProducer(false, null, StringSerializer(), StringSerializer())
            val producer = mock.asKProducer()
            val failure = NotEnoughReplicasException("only 1 in sync")
            supervisorScope {
                val sending = async { producer.send("payments", "k", "v") }
                while (mock.history().isEmpty()) delay(5)
                mock.errorNext(failure)
                val error = shouldThrow<NotEnoughReplicasException> { sending.await() }
                // Coroutines' debug mode (on under -ea) may rethrow a copy whose cause is the original.
                generateSequence<Throwable>(error) { it.cause }.any { it === failure } shouldBe true
            }
        }

        test("a failure reported with placeholder metadata is a failure: the exception decides, never the -1 fields") {
            val producer = threadedProducer { record -> failedMetadata(record) to TimeoutException("Expiring 1 record(s)") }.asKProducer()
            val error = shouldThrow<TimeoutException> { producer.send("payments", "k", "v") }
            error.message shouldBe "Expiring 1 record(s)"
        }

        test("the caller resumes on its own dispatcher, never on the producer's I/O thread") {
            val producer =
                threadedProducer { record -> RecordMetadata(TopicPartition(record.topic(), 0), 7, 0, 0, 1, 1) to null }.asKProducer()
            newSingleThreadContext("caller").use { caller ->
                withContext(caller) {
                    producer.send("t", "k", "v").offset() shouldBe 7
                    Thread.currentThread().name shouldStartWith "caller"
                }
            }
            withContext(Dispatchers.Unconfined) {
                producer.send("t", "k", "v")
                Thread.currentThread().name shouldNotBe "kafka-producer-network-thread | fake"
            }
        }

        test("dependent stages of sendAsync run off the producer's I/O thread") {
            val producer =
                threadedProducer { record -> RecordMetadata(TopicPartition(record.topic(), 0), 1, 0, 0, 1, 1) to null }.asKProducer()
            val thread = producer.sendAsync("t", "k", "v").thenApply { Thread.currentThread().name }.get()
            thread shouldNotBe "kafka-producer-network-thread | fake"
        }

        test("the onError handler runs off the I/O thread, and a handler that throws does not break the producer") {
            val threads = CompletableDeferred<String>()
            // Handlers of different records may run at the same time on Dispatchers.Default.
            val calls = AtomicInteger()
            val producer =
                threadedProducer { record -> failedMetadata(record) to TimeoutException("expired") }.asKProducer {
                    onError { _, _ ->
                        if (calls.incrementAndGet() == 1) throw IllegalStateException("handler bug")
                        threads.complete(Thread.currentThread().name)
                    }
                }
            producer.offer("t", "k", "v")
            producer.offer("t", "k", "v")
            withTimeout(5.seconds) { threads.await() } shouldNotBe "kafka-producer-network-thread | fake"
        }

        test("cancelling a send stops the waiting; completing the record later is harmless") {
            val mock = MockProducer(false, null, StringSerializer(), StringSerializer())
            val producer = mock.asKProducer()
            val sending = async { producer.send("t", "k", "v") }
            while (mock.history().isEmpty()) delay(5)
            sending.cancel()
            sending.join()
            sending.isCancelled shouldBe true
            mock.completeNext() shouldBe true
            mock.history().single().value() shouldBe "v"
        }

        test("a record built without a value is refused, so a forgotten value never becomes a tombstone") {
            val producer = MockProducer(true, null, StringSerializer(), StringSerializer()).asKProducer()
            val error = shouldThrow<IllegalArgumentException> { producer.send("t") { key = "k" } }
            error.message shouldStartWith "The record for topic 't' has no value"
            producer
                .send("t") {
                    key = "k"
                    value = null
                }.topic() shouldBe "t"
        }

        test("a send goes straight to Kafka on the caller's thread only when the topic is known and the buffer has room") {
            var available = 32.0 * 1024 * 1024
            val gauge = mockk<Metric> { every { metricValue() } answers { available } }
            val sendThreads = mutableListOf<String>()
            val mock = MockProducer(true, null, StringSerializer(), StringSerializer())
            val producer = mockk<Producer<String, String>>(relaxed = true)
            every { producer.metrics() } returns mapOf(MetricName("buffer-available-bytes", "producer-metrics", "", emptyMap()) to gauge)
            every { producer.send(any(), any()) } answers {
                synchronized(sendThreads) { sendThreads += Thread.currentThread().name }
                mock.send(firstArg(), secondArg())
            }
            val kproducer = producer.asKProducer()
            newSingleThreadContext("caller").use { caller ->
                withContext(caller) {
                    kproducer.send("t", "k", "first") // metadata unknown: handed over in the topic's lane
                    // The caller resumes once the record is acknowledged; the lane retires a moment later.
                    io.kotest.assertions.nondeterministic.eventually(5.seconds) {
                        (kproducer as io.github.kproducer.dsl.internal.DefaultKProducer<*, *>).pipeline.laneCount() shouldBe 0
                    }
                    kproducer.send("t", "k", "second") // known topic, room in the buffer: direct
                    available = 1024.0 // nearly full: Kafka could block, so the lane again
                    delay(5) // the gauge is sampled at most once a millisecond
                    kproducer.send("t", "k", "third")
                }
            }
            sendThreads[0] shouldNotStartWith "caller"
            sendThreads[1] shouldStartWith "caller"
            sendThreads[2] shouldNotStartWith "caller"
            mock.history().map { it.value() } shouldContainExactly listOf("first", "second", "third")
        }

        test("the test kit's mock plugs in: partitions, scripted failures and history as the DSL sees them") {
            val mock = MockKafkaProducer<String, String> { topic("orders", partitions = 3) }
            mock.failWhen(NotEnoughReplicasException("poison")) { it.key() == "poison" }
            val producer = mock.asKProducer()
            val metadata = producer.send("orders", "order-1", "paid")
            shouldThrow<NotEnoughReplicasException> { producer.send("orders", "poison", "x") }
            producer.offer("orders", "order-2", "pending")
            producer.flush()

            mock.shouldHaveSent(3).shouldKeepEachKeyInOnePartition()
            mock.history().first().shouldHavePartition(metadata.partition())
            mock.failed().single() shouldHaveKey "poison"
            producer.close()
            mock.isClosed shouldBe true
        }

        /** How a failure is classified: [error] is retriable or not, fatal to the producer or not. */
        class Classified(
            val error: Throwable,
            val retriable: Boolean,
            val fatal: Boolean,
        ) {
            val name: String = generateSequence(error) { it.cause }.joinToString(" of ") { it.javaClass.simpleName }
            val kind: String = (if (retriable) "retriable" else "not retriable") + (if (fatal) ", fatal" else ", not fatal")
        }
        withTests(
            nameFn = { "failures are told apart, through ExecutionException too: ${it.name} is ${it.kind}" },
            ts =
                listOf(
                    Classified(NotEnoughReplicasException("x"), retriable = true, fatal = false),
                    Classified(TimeoutException("x"), retriable = true, fatal = false),
                    Classified(ExecutionException(TimeoutException("x")), retriable = true, fatal = false),
                    Classified(RecordTooLargeException("x"), retriable = false, fatal = false),
                    Classified(ProducerFencedException("x"), retriable = false, fatal = true),
                    Classified(SaslAuthenticationException("x"), retriable = false, fatal = true),
                    Classified(TopicAuthorizationException("x"), retriable = false, fatal = false),
                ),
        ) { case ->
            case.error.isRetriable shouldBe case.retriable
            case.error.isFatal shouldBe case.fatal
        }

        test("invalid options of a wrapped producer are refused") {
            val error = shouldThrow<KProducerConfigException> { MockProducer<String, String>().asKProducer { closeTimeout = (-1).seconds } }
            error.message shouldContain "closeTimeout must not be negative"
        }

        test("sendAll and the Flow forms never continue an unconfined caller on the producer's I/O thread") {
            val producer =
                threadedProducer { record -> RecordMetadata(TopicPartition(record.topic(), 0), 3, 0, 0, 1, 1) to null }.asKProducer()
            val records = (1..50).map { ProducerRecord("t", "k$it", "v") }
            val io = "kafka-producer-network-thread | fake"

            suspend fun everyForm(): List<String> {
                val threads = mutableListOf<String>()
                producer.sendAll(records)
                threads += Thread.currentThread().name
                producer.sendAllSettled(records)
                threads += Thread.currentThread().name
                producer.sendAll(records.asFlow()).collect { threads += Thread.currentThread().name }
                threads += Thread.currentThread().name
                producer.sendAllSettled(records.asFlow()).collect { threads += Thread.currentThread().name }
                threads += Thread.currentThread().name
                return threads
            }
            withContext(Dispatchers.Unconfined) { everyForm() }.forEach { it shouldNotBe io }

            // `suspend fun main` runs with no dispatcher at all.
            val done = CompletableDeferred<List<String>>()
            val body: suspend () -> List<String> = { everyForm() }
            body.startCoroutine(
                kotlin.coroutines.Continuation(
                    kotlin.coroutines.EmptyCoroutineContext,
                ) { result -> result.fold({ done.complete(it) }, { done.completeExceptionally(it) }) },
            )
            withTimeout(10.seconds) { done.await() }.forEach { it shouldNotBe io }
        }

        val oneRecord = listOf(ProducerRecord("t", "k", "v"))
        withTests(
            nameFn = { "sendAllSettled on a closed producer throws IllegalStateException, in every form: ${it.first}" },
            ts =
                listOf<Pair<String, suspend (KProducer<String, String>) -> Unit>>(
                    "sendAllSettled(list)" to { it.sendAllSettled(oneRecord) },
                    "sendAllSettled(flow)" to { it.sendAllSettled(oneRecord.asFlow()).collect() },
                    "sendAllSettledAsync(list)" to { it.sendAllSettledAsync(oneRecord) },
                    "sendAllAsync(list)" to { it.sendAllAsync(oneRecord) },
                ),
        ) { (_, form) ->
            val producer = MockProducer(true, null, StringSerializer(), StringSerializer()).asKProducer()
            producer.close()
            shouldThrow<IllegalStateException> { form(producer) }.message shouldContain "closed"
        }

        test("a settled flow over an endless upstream stops when the producer closes, after the outcomes of what it handed over") {
            val mock = MockProducer(true, null, StringSerializer(), StringSerializer())
            val producer = mock.asKProducer()
            val outcomes = mutableListOf<SendResult<String, String>>()
            val endless =
                kotlinx.coroutines.flow.flow {
                    var i = 0
                    while (true) {
                        emit(ProducerRecord("t", "k", "v${i++}"))
                        if (i == 100) producer.close()
                    }
                }
            val error = shouldThrow<IllegalStateException> { withTimeout(10.seconds) { producer.sendAllSettled(endless).collect { outcomes += it } } }
            error.message shouldContain "closed"
            outcomes.size shouldBe 100
            outcomes.all { it.isSuccess } shouldBe true
        }

        test("when the upstream of a sending flow throws, the records already handed over still report their outcome first") {
            val producer =
                threadedProducer { record -> RecordMetadata(TopicPartition(record.topic(), 0), 1, 0, 0, 1, 1) to null }.asKProducer()
            val breaking =
                kotlinx.coroutines.flow.flow {
                    repeat(10) { emit(ProducerRecord("t", "k", "v$it")) }
                    throw IllegalArgumentException("the upstream broke")
                }
            val settled = mutableListOf<SendResult<String, String>>()
            shouldThrow<IllegalArgumentException> { producer.sendAllSettled(breaking).collect { settled += it } }.message shouldBe
                "the upstream broke"
            settled.map { it.record.value() } shouldContainExactly (0 until 10).map { "v$it" }

            val acknowledged = mutableListOf<RecordMetadata>()
            shouldThrow<IllegalArgumentException> { producer.sendAll(breaking).collect { acknowledged += it } }
            acknowledged.size shouldBe 10
        }

        test("a topic's lane exists only while it holds records; a wrapped producer's probe reads the client's own settings") {
            val mock = MockProducer(true, null, StringSerializer(), StringSerializer())
            val producer = mock.asKProducer()
            // The mock cannot be looked into, so the first record of each topic takes its lane.
            (1..100).forEach { producer.send("topic-$it", "k", "v") }
            io.kotest.assertions.nondeterministic.eventually(5.seconds) {
                (producer as io.github.kproducer.dsl.internal.DefaultKProducer<*, *>).pipeline.laneCount() shouldBe 0
            }
            producer.close()

            val kafka =
                org.apache.kafka.clients.producer.KafkaProducer(
                    mapOf<String, Any>("bootstrap.servers" to "127.0.0.1:1", "max.block.ms" to 1234),
                    StringSerializer(),
                    StringSerializer(),
                )
            kafka.use {
                val probe =
                    io.github.kproducer.dsl.internal.send.ClientProbe
                        .of(kafka)
                probe.sees shouldBe true
                probe.maxBlockMs shouldBe 1234L
                probe.partitionCount("anything") shouldBe -1
                probe.bufferLow() shouldBe false
            }
        }

        test("the result of sendAll does not keep the records it sent") {
            // A producer that completes at once and remembers nothing (Kafka's MockProducer keeps a history).
            val forgetful =
                object : Producer<String, String> by MockProducer(true, null, StringSerializer(), StringSerializer()) {
                    override fun send(
                        record: ProducerRecord<String, String>,
                        callback: Callback?,
                    ): java.util.concurrent.Future<RecordMetadata> {
                        val metadata = RecordMetadata(TopicPartition(record.topic(), 0), 0, 0, 0, 1, 1)
                        callback?.onCompletion(metadata, null)
                        return CompletableFuture.completedFuture(metadata)
                    }
                }
            val producer = forgetful.asKProducer()
            val payload = java.lang.ref.WeakReference(StringBuilder("payload"))
            var records: List<ProducerRecord<String, String>>? = (1..1000).map { ProducerRecord("t", "k", payload.get()!!.toString() + it) }
            val tracked = java.lang.ref.WeakReference(records!!.first())
            val result = producer.sendAll(records!!)
            records = null
            io.kotest.assertions.nondeterministic.eventually(5.seconds) {
                System.gc()
                tracked.get() shouldBe null
            }
            result.size shouldBe 1000
            result.first().topic() shouldBe "t"
        }

        test("a future stage that blocks on a later future of the same producer does not hang it") {
            val producer =
                threadedProducer { record -> RecordMetadata(TopicPartition(record.topic(), 0), 1, 0, 0, 1, 1) to null }.asKProducer()
            // Stages run one at a time in offset order; this one waits for an outcome queued behind it.
            val chained = producer.sendAsync("t", "a", "first").thenApply { producer.sendAsync("t", "b", "second").join().topic() }
            chained.get(10, java.util.concurrent.TimeUnit.SECONDS) shouldBe "t"
            producer.sendAsync("t", "c", "after").get(10, java.util.concurrent.TimeUnit.SECONDS).topic() shouldBe "t"
            producer.close()
        }

        test("a coroutine on Dispatchers.Default that blocks after its send does not hold up the resumption of the others") {
            val mock = MockProducer(false, null, StringSerializer(), StringSerializer())
            val producer = mock.asKProducer()
            val secondResumed = java.util.concurrent.CountDownLatch(1)
            val firstSawSecond =
                java.util.concurrent.atomic
                    .AtomicBoolean()
            withTimeout(10.seconds) {
                withContext(Dispatchers.Default) {
                    val first =
                        launch {
                            producer.send("t", "a", "first")
                            // Blocks the thread it was resumed on until the second coroutine has been resumed.
                            firstSawSecond.set(secondResumed.await(5, java.util.concurrent.TimeUnit.SECONDS))
                        }
                    val second =
                        launch {
                            producer.send("t", "b", "second")
                            secondResumed.countDown()
                        }
                    while (mock.history().size < 2) delay(1)
                    // Kafka's callbacks come from a thread of their own, the first record's first.
                    Thread({ repeat(2) { mock.completeNext() } }, "kafka-producer-network-thread | fake").apply { start() }
                    first.join()
                    second.join()
                }
            }
            firstSawSecond.get() shouldBe true
            producer.close()
        }

        test("a send resumes its caller on the caller's own dispatcher") {
            val mock = MockProducer(false, null, StringSerializer(), StringSerializer())
            val producer = mock.asKProducer()

            suspend fun threadAfterSend(context: kotlin.coroutines.CoroutineContext): String =
                withContext(context) {
                    val sent = async { producer.send("t", "k", "v").let { Thread.currentThread().name } }
                    while (mock.history().size < 1) delay(1)
                    Thread({ mock.completeNext() }, "kafka-producer-network-thread | fake").apply { start() }
                    sent.await().also { mock.clear() }
                }
            threadAfterSend(Dispatchers.Default) shouldStartWith "DefaultDispatcher-worker"
            newSingleThreadContext("only-thread").use { single -> threadAfterSend(single) shouldStartWith "only-thread" }
            producer.close()
        }
    })
