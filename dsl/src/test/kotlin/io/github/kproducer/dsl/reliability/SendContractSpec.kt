package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerConfig
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.withClue
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeGreaterThan
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.errors.TimeoutException
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.nanoseconds
import kotlin.time.Duration.Companion.seconds

/**
 * The send contract where it breaks: no entry point (`send`, `sendAsync`, `offer`, `sendAll`, the
 * Flow form) blocks its caller's thread through a full outage after the client rebootstrapped, a
 * topic whose metadata never comes, or a full buffer; every call ends, each record within its own
 * `maxBlock`; and nothing is lost. Each scenario runs on one thread beside a ticker: a blocked thread
 * shows as a gap between ticks, and the wait for the scenario is bounded from another thread.
 */
class SendContractSpec :
    FunSpec({
        val shared = install(EmbeddedKafkaExtension()) { autoCreateTopics = false }

        /** The longest the one thread may go without a tick that the rest of the process did not also suffer: a blocked send holds it for maxBlock (seconds). */
        val allowedGap = 100.milliseconds

        /** The longest a non-suspending call (sendAsync, offer) may take, preemption on a loaded machine included; a blocked one takes maxBlock. */
        val allowedCall = 500.milliseconds

        /** Timeouts short enough that an outage shows within seconds: [maxBlock] for metadata, [delivery] for acknowledgements. */
        fun KProducerConfig<String, String>.outageTimeouts(
            maxBlock: Duration,
            delivery: Duration,
        ) {
            this.maxBlock = maxBlock
            requestTimeout = 1.seconds
            deliveryTimeout = delivery
        }

        fun producer(
            bootstrap: String,
            configure: KProducerConfig<String, String>.() -> Unit,
        ): Pair<KProducer<String, String>, ConcurrentLinkedQueue<Exception>> {
            val offerFailures = ConcurrentLinkedQueue<Exception>()
            val producer =
                kafkaProducer<String, String> {
                    bootstrapServers = bootstrap
                    onError { _, e -> offerFailures += e }
                    configure()
                }
            return producer to offerFailures
        }

        /**
         * Sends [perEntry] records through each entry point from the one thread, all at once, and
         * returns every record's failure (or `null`) by entry point. `sendAsync` and `offer` are timed:
         * they must return at once. [afterCalls] runs once every call was made.
         */
        suspend fun OneThread.everyEntryPoint(
            producer: KProducer<String, String>,
            topic: String,
            perEntry: Int,
            value: String = "v",
            afterCalls: suspend () -> Unit = {},
        ): Map<String, List<Throwable?>> {
            val futures = (1..perEntry).map { i -> timed("sendAsync") { producer.sendAsync(ProducerRecord(topic, "a$i", value)) } }
            repeat(perEntry) { i -> timed("offer") { producer.offer(ProducerRecord(topic, "o$i", value)) } }
            val sends = (1..perEntry).map { i -> async { runCatching { producer.send(topic, "s$i", value) }.exceptionOrNull() } }
            val all = async { runCatching { producer.sendAll((1..perEntry).map { ProducerRecord(topic, "l$it", value) }) }.exceptionOrNull() }
            val flowed =
                async {
                    runCatching {
                        producer.sendAll((1..perEntry).asFlow().map { ProducerRecord(topic, "f$it", value) }).collect()
                    }.exceptionOrNull()
                }
            afterCalls()
            return linkedMapOf(
                "send" to sends.awaitAll(),
                "sendAsync" to futures.map { f -> runCatching { f.await() }.exceptionOrNull() },
                "sendAll" to listOf(all.await()),
                "Flow" to listOf(flowed.await()),
            )
        }

        fun Throwable?.shouldBeTimeoutSaying(text: String) {
            val timeout = shouldBeInstanceOf<TimeoutException>()
            timeout.message shouldContain text
        }

        fun Watched<*>.shouldNotHaveBlocked(label: String) {
            println(
                "[figures] $label: longest gap between ticks ${longestGap.inWholeMilliseconds} ms " +
                    "(${longestStall.inWholeMilliseconds} ms not shared by the process), slowest sendAsync/offer call " +
                    "${slowestCall.inWholeMicroseconds} us",
            )
            withClue("the one thread was seen parked inside Kafka:\n$waitedInKafka\n") { waitedInKafka shouldBe null }
            withClue("the longest gap between ticks of the one thread ($longestGap, of which the process shared ${longestGap - longestStall})") {
                longestStall shouldBeLessThan allowedGap
            }
            withClue("the slowest non-suspending call ($slowestCallName)") { slowestCall shouldBeLessThan allowedCall }
        }

        test("through a full outage after the client rebootstrapped, no entry point blocks its thread, and each fails within maxBlock") {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("rebootstrap", partitions = 3)
                val (producer, offerFailures) =
                    producer(kafka.bootstrapServers) { outageTimeouts(maxBlock = 1500.milliseconds, delivery = 3.seconds) }
                producer.use {
                    producer.send("rebootstrap", "k", "before")
                    withContext(Dispatchers.IO) { kafka.stopAllBrokers() }
                    // Kafka 4 rebootstraps when no broker answers: its metadata then holds the bootstrap addresses and no topic.
                    eventually(30.seconds) { producer.clientPartitionCount("rebootstrap") shouldBe -1 }

                    val watched = onOneThread(30.seconds) { everyEntryPoint(producer, "rebootstrap", perEntry = 50) }
                    watched.shouldNotHaveBlocked("rebootstrap")
                    eventually(10.seconds) { offerFailures.size shouldBe 50 }
                    val failures = watched.result.values.flatten() + offerFailures
                    failures.forEach { failure ->
                        failure.shouldBeTimeoutSaying("not present in metadata after 1500 ms")
                        failure!!.message shouldContain kafka.bootstrapServers
                    }
                }
            }
        }

        test("while a topic's metadata never comes, no entry point blocks its thread, and each fails within maxBlock") {
            val (producer, offerFailures) = producer(shared.bootstrapServers) { maxBlock = 1.seconds }
            producer.use {
                val started = System.nanoTime()
                val watched = onOneThread(30.seconds) { everyEntryPoint(producer, "never-created", perEntry = 50) }
                watched.shouldNotHaveBlocked("metadata never comes")
                // Every record waited its own maxBlock from when it was handed over, not one after another.
                (System.nanoTime() - started).nanoseconds shouldBeLessThan 5.seconds
                eventually(10.seconds) { offerFailures.size shouldBe 50 }
                (watched.result.values.flatten() + offerFailures).forEach { failure ->
                    failure.shouldBeTimeoutSaying("Topic never-created not present in metadata after 1000 ms")
                }
            }
        }

        /**
         * Fills a 128 KiB buffer through every entry point while no broker drains it, with records of
         * [recordBytes] each, [perEntry] per entry point; what finds no room must wait in its lane, not
         * on the thread, and fail after maxBlock; what is in the buffer fails at close.
         */
        suspend fun fillTheBuffer(
            label: String,
            recordBytes: Int,
            perEntry: Int,
        ) {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("full-buffer", partitions = 3)
                val (producer, offerFailures) =
                    producer(kafka.bootstrapServers) {
                        // Without rebootstrap the client keeps the topic's metadata through the outage, so the buffer is what fills.
                        property("metadata.recovery.strategy", "none")
                        bufferMemory = 128L * 1024
                        batchSize = 16 * 1024
                        maxRequestSize = 100 * 1024
                        maxBlock = 1.seconds
                        linger = 0.milliseconds
                        requestTimeout = 30.seconds
                        deliveryTimeout = 120.seconds
                    }
                producer.send("full-buffer", "k", "before")
                withContext(Dispatchers.IO) { kafka.stopAllBrokers() }
                val value = "x".repeat(recordBytes)
                val watched =
                    onOneThread(60.seconds) {
                        everyEntryPoint(producer, "full-buffer", perEntry, value) {
                            delay(2.seconds)
                            // What is in the buffer waits for brokers that do not come; close fails it.
                            withContext(Dispatchers.IO) { producer.close(Duration.ZERO) }
                        }
                    }
                watched.shouldNotHaveBlocked(label)
                offerFailures.size shouldBe perEntry
                val failures = watched.result.values.flatten() + offerFailures
                failures.forEach { it.shouldNotBeNull() }
                val noRoom = failures.filter { it!!.message!!.contains("within the configured max blocking time 1000 ms") }
                // Some records found no room and failed after their maxBlock; the buffered ones failed at close.
                noRoom.size shouldBeGreaterThan 0
                (failures - noRoom.toSet()).forEach { (it is KafkaException) shouldBe true }
            }
        }

        test("with buffer.memory full, no entry point blocks its thread; records that found no room fail after maxBlock, the rest at close") {
            // 5 x 100 records of 1 KiB: four times the buffer.
            fillTheBuffer("full buffer", recordBytes = 1024, perEntry = 100)
        }

        test("records larger than a batch, each needing a large allocation, do not overrun the buffer check either") {
            // 5 x 4 records of 40 KiB (each its own batch): the buffer holds three.
            fillTheBuffer("full buffer, 40 KiB records", recordBytes = 40 * 1024, perEntry = 4)
        }

        test("a direct send that meets the client's rebootstrap after the check does not hold its thread; its record goes on in the lane") {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("race", partitions = 1)
                val arm = AtomicBoolean(false)
                val interceptorReturned = AtomicLong()
                lateinit var producer: KProducer<String, String>
                producer =
                    kafkaProducer {
                        bootstrapServers = kafka.bootstrapServers
                        outageTimeouts(maxBlock = 3.seconds, delivery = 3.seconds)
                        // Runs inside Producer.send after the DSL judged the topic known: the outage happens in between.
                        onSend { record ->
                            if (arm.getAndSet(false)) {
                                kafka.stopAllBrokers()
                                while (producer.clientPartitionCount("race") != -1) Thread.sleep(10)
                                interceptorReturned.set(System.nanoTime())
                            }
                            record
                        }
                    }
                producer.use {
                    producer.send("race", "k", "before")
                    arm.set(true)
                    val outcome =
                        onOneThread(60.seconds) {
                            val future = producer.sendAsync(ProducerRecord("race", "k", "during"))
                            val returned = System.nanoTime()
                            Thread.currentThread().isInterrupted shouldBe false
                            (returned - interceptorReturned.get()).nanoseconds to future
                        }
                    val (heldAfterInterceptor, future) = outcome.result
                    println("[figures] race: the caller's thread was released ${heldAfterInterceptor.inWholeMilliseconds} ms after Kafka began to wait")
                    // Kafka would have held the thread for maxBlock (3 s); the watchdog lets go within a few ticks.
                    heldAfterInterceptor shouldBeLessThan 200.milliseconds
                    val failure = runCatching { future.await() }.exceptionOrNull()
                    failure.shouldBeTimeoutSaying("Topic race not present in metadata after 3000 ms")
                }
            }
        }

        test("records queued behind each other each fail maxBlock after their own hand-over, not one after another") {
            val (producer, _) = producer(shared.bootstrapServers) { maxBlock = 500.milliseconds }
            producer.use {
                val started = LongArray(6)
                val ended = LongArray(6)
                val futures =
                    (0 until 6).map { i ->
                        started[i] = System.nanoTime()
                        producer.sendAsync(ProducerRecord("never-h", "k$i", "v")).whenComplete { _, _ -> ended[i] = System.nanoTime() }
                    }
                futures.forEach { runCatching { it.await() } }
                val waits = (0 until 6).map { (ended[it] - started[it]).nanoseconds }
                println("[figures] six queued records failed after ${waits.map { it.inWholeMilliseconds }} ms (maxBlock 500 ms)")
                waits.forEach { wait ->
                    wait shouldBeGreaterThan 450.milliseconds
                    // One after another the sixth would take 3 s.
                    wait shouldBeLessThan 1500.milliseconds
                }
            }
        }

        test("a record for a partition the topic lacks does not hold the topic's other records behind it") {
            shared.createTopic("three-partitions-h", partitions = 3)
            val (producer, _) = producer(shared.bootstrapServers) { maxBlock = 3.seconds }
            producer.use {
                producer.send("three-partitions-h", "k", "warm")
                val stray = producer.sendAsync(ProducerRecord("three-partitions-h", 7, "k", "to nowhere"))
                val behind = producer.sendAsync(ProducerRecord("three-partitions-h", "k", "behind"))
                behind.await().topic() shouldBe "three-partitions-h"
                stray.isDone shouldBe false
                val failure = runCatching { stray.await() }.exceptionOrNull()
                failure.shouldBeTimeoutSaying("Partition 7 of topic 'three-partitions-h' does not exist")
            }
        }

        test("after a quiet upstream during which the client forgot the topic, the Flow form does not block its thread") {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("quiet", partitions = 1)
                val (producer, _) =
                    producer(kafka.bootstrapServers) { outageTimeouts(maxBlock = 1.seconds, delivery = 2.seconds) }
                producer.use {
                    val watched =
                        onOneThread(60.seconds) {
                            val records =
                                flow {
                                    repeat(20) { emit(ProducerRecord("quiet", "k", "v$it")) }
                                    // The upstream goes quiet (its records acknowledged, so the flow has no failure to stop at);
                                    // meanwhile every broker goes away and the client rebootstraps.
                                    while (producer.metrics().inFlight != 0L) delay(5.milliseconds)
                                    withContext(Dispatchers.IO) {
                                        kafka.stopAllBrokers()
                                        while (producer.clientPartitionCount("quiet") != -1) Thread.sleep(10)
                                    }
                                    repeat(20) { emit(ProducerRecord("quiet", "k", "after$it")) }
                                }
                            runCatching { producer.sendAll(records).collect() }.exceptionOrNull()
                        }
                    watched.shouldNotHaveBlocked("quiet upstream")
                    watched.result.shouldBeTimeoutSaying("Topic quiet not present in metadata")
                }
            }
        }
    })
