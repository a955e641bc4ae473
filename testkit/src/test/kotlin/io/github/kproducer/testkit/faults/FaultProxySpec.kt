package io.github.kproducer.testkit.faults

import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.read.ListAppender
import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.github.kproducer.testkit.support.metric
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException
import org.apache.kafka.common.protocol.ApiKeys
import org.apache.kafka.common.protocol.Errors
import org.apache.kafka.common.serialization.StringSerializer
import org.slf4j.LoggerFactory
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit.SECONDS
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/** The fault proxy against the real client: each fault reaches KafkaProducer as a broker's would. */
class FaultProxySpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { faultProxy = true }
        val clients = AtomicInteger()

        fun producer(vararg extra: Pair<String, Any>): KafkaProducer<String, String> =
            KafkaProducer(
                kafka.connectionProperties() + mapOf(ProducerConfig.CLIENT_ID_CONFIG to "fault-proxy-${clients.incrementAndGet()}") + extra,
                StringSerializer(),
                StringSerializer(),
            )

        test("with no fault set, records pass through the proxy, which counts the requests it forwards") {
            kafka.createTopic("fp-pass")
            kafka.faults { }.use { faults ->
                producer().use { p -> (1..10).forEach { p.send(ProducerRecord("fp-pass", "k$it", "v")).get(30, SECONDS) } }
                faults.requests(ApiKeys.PRODUCE) shouldBeGreaterThanOrEqual 1
                faults.requests(ApiKeys.METADATA) shouldBeGreaterThanOrEqual 1
                faults.applied() shouldBe 0
            }
            kafka.readAllStrings("fp-pass").map { it.key() } shouldContainExactlyInAnyOrder (1..10).map { "k$it" }
        }

        test("NOT_ENOUGH_REPLICAS three times on Produce: the send succeeds after three retries") {
            kafka.createTopic("fp-nr")
            producer(ProducerConfig.RETRY_BACKOFF_MS_CONFIG to 10).use { p ->
                p.partitionsFor("fp-nr")
                kafka.faults { produce(topic = "fp-nr") { respond(Errors.NOT_ENOUGH_REPLICAS, times = 3) } }.use { faults ->
                    p.send(ProducerRecord("fp-nr", "k", "v")).get(30, SECONDS).offset() shouldBe 0L
                    faults.applied(ApiKeys.PRODUCE) shouldBe 3
                    faults.requests(ApiKeys.PRODUCE) shouldBe 4L
                }
                p.metric("record-retry-total") shouldBe 3.0
            }
            kafka.readAllStrings("fp-nr").size shouldBe 1
        }

        test("NOT_ENOUGH_REPLICAS for longer than delivery.timeout.ms: Kafka retries until then and expires the record") {
            kafka.createTopic("fp-nr-long")
            producer(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 3000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 2000,
                ProducerConfig.LINGER_MS_CONFIG to 0,
            ).use { p ->
                kafka.faults { produce(topic = "fp-nr-long") { respond(Errors.NOT_ENOUGH_REPLICAS) } }.use { faults ->
                    val error = shouldThrow<ExecutionException> { p.send(ProducerRecord("fp-nr-long", "k", "v")).get(30, SECONDS) }
                    // The retriable error is never the one reported: the batch waits out its backoff and expires.
                    error.cause.shouldBeInstanceOf<org.apache.kafka.common.errors.TimeoutException>().message!! shouldContain "since batch creation"
                    faults.applied(ApiKeys.PRODUCE).toLong() shouldBeGreaterThan 1L
                }
            }
        }

        test("NOT_ENOUGH_REPLICAS beyond the retries: the send fails with NotEnoughReplicasException") {
            kafka.createTopic("fp-nr-retries")
            val retries = arrayOf(ProducerConfig.RETRIES_CONFIG to 2, ProducerConfig.RETRY_BACKOFF_MS_CONFIG to 10)
            producer(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false, *retries).use { p ->
                p.partitionsFor("fp-nr-retries")
                val faults = kafka.faults { produce(topic = "fp-nr-retries") { respond(Errors.NOT_ENOUGH_REPLICAS) } }
                faults.use {
                    val error = shouldThrow<ExecutionException> { p.send(ProducerRecord("fp-nr-retries", "k", "v")).get(30, SECONDS) }
                    error.cause.shouldBeInstanceOf<NotEnoughReplicasException>()
                    faults.applied(ApiKeys.PRODUCE) shouldBe 3
                }
            }
        }

        test("a topic filter leaves other topics alone, and a partition filter other partitions") {
            kafka.createTopic("fp-target", partitions = 2)
            kafka.createTopic("fp-other")
            producer(ProducerConfig.RETRIES_CONFIG to 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false, ProducerConfig.LINGER_MS_CONFIG to 0).use { p ->
                p.partitionsFor("fp-target")
                p.partitionsFor("fp-other")
                kafka.faults { produce(topic = "fp-target", partition = 1) { respond(Errors.NOT_ENOUGH_REPLICAS) } }.use { faults ->
                    p.send(ProducerRecord("fp-other", "k", "v")).get(30, SECONDS)
                    p.send(ProducerRecord("fp-target", 0, "k", "v")).get(30, SECONDS)
                    shouldThrow<ExecutionException> { p.send(ProducerRecord("fp-target", 1, "k", "v")).get(30, SECONDS) }
                        .cause
                        .shouldBeInstanceOf<NotEnoughReplicasException>()
                    faults.applied() shouldBe 1
                }
            }
        }

        test("a dropped Produce answer makes a duplicate without idempotence and none with it") {
            kafka.createTopic("fp-dup-plain")
            kafka.createTopic("fp-dup-idem")
            val tight =
                arrayOf(
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 1500,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 20_000,
                    ProducerConfig.LINGER_MS_CONFIG to 0,
                )
            producer(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false, ProducerConfig.ACKS_CONFIG to "all", *tight).use { p ->
                p.partitionsFor("fp-dup-plain")
                kafka.faults { produce(topic = "fp-dup-plain") { drop(times = 1) } }.use { faults ->
                    p.send(ProducerRecord("fp-dup-plain", "once", "v")).get(30, SECONDS)
                    faults.applied() shouldBe 1
                }
            }
            kafka.readAllStrings("fp-dup-plain").map { it.key() } shouldBe listOf("once", "once")
            producer(*tight).use { p ->
                p.partitionsFor("fp-dup-idem")
                kafka.faults { produce(topic = "fp-dup-idem") { drop(times = 1) } }.use { faults ->
                    p.send(ProducerRecord("fp-dup-idem", "once", "v")).get(30, SECONDS)
                    faults.applied() shouldBe 1
                }
            }
            kafka.readAllStrings("fp-dup-idem").map { it.key() } shouldBe listOf("once")
        }

        test("after a dropped answer, later answers on that connection are lost too: the client never sees them out of order") {
            kafka.createTopic("fp-drop-order", partitions = 2)
            val errors = ListAppender<ILoggingEvent>().apply { start() }
            val sender = LoggerFactory.getLogger("org.apache.kafka.clients.producer.internals.Sender") as Logger
            sender.addAppender(errors)
            try {
                producer(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false,
                    ProducerConfig.ACKS_CONFIG to "1",
                    ProducerConfig.LINGER_MS_CONFIG to 0,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 1500,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 20_000,
                ).use { p ->
                    p.partitionsFor("fp-drop-order")
                    kafka.faults { produce(topic = "fp-drop-order") { drop(times = 1) } }.use { faults ->
                        // Two Produce requests in flight on one connection: the first one's answer is dropped.
                        val first = p.send(ProducerRecord("fp-drop-order", 0, "a", "v"))
                        Thread.sleep(100)
                        val second = p.send(ProducerRecord("fp-drop-order", 1, "b", "v"))
                        first.get(30, SECONDS)
                        second.get(30, SECONDS)
                        faults.applied() shouldBe 1
                    }
                }
            } finally {
                sender.detachAppender(errors)
            }
            // Delivering the second answer while the client waits for the first fails the client's I/O thread.
            errors.list.filter { it.throwableProxy?.className?.contains("CorrelationIdMismatch") == true }.map { it.formattedMessage } shouldBe emptyList()
            // Both requests reached the broker and both answers were lost, so both were retried.
            kafka.readAllStrings("fp-drop-order").map { it.key()!! }.sorted() shouldBe listOf("a", "a", "b", "b")
        }

        test("latency delays each round trip by at least twice the latency, and healing removes it") {
            kafka.createTopic("fp-latency")
            producer(ProducerConfig.LINGER_MS_CONFIG to 0).use { p ->
                p.send(ProducerRecord("fp-latency", "warm", "v")).get(30, SECONDS)
                kafka.faults { latency(150.milliseconds) }.use {
                    val mark = TimeSource.Monotonic.markNow()
                    p.send(ProducerRecord("fp-latency", "slow", "v")).get(30, SECONDS)
                    mark.elapsedNow().inWholeMilliseconds shouldBeGreaterThanOrEqual 300
                }
            }
        }

        test("cutting connections with 1,000 records in flight: every send completes and, with idempotence, none is lost or doubled") {
            kafka.createTopic("fp-cut", partitions = 3)
            producer(ProducerConfig.LINGER_MS_CONFIG to 5).use { p ->
                p.partitionsFor("fp-cut")
                kafka.faults { latency(20.milliseconds) }.use { faults ->
                    val futures = (0 until 1000).map { p.send(ProducerRecord("fp-cut", "k$it", "v$it")) }
                    faults.cutConnections()
                    futures.forEach { it.get(60, SECONDS) }
                }
            }
            val keys = kafka.readAllStrings("fp-cut").map { it.key() }
            keys.size shouldBe 1000
            keys.toSet().size shouldBe 1000
        }

        test("refused connections: a new client cannot connect while they last, and connects once healed") {
            kafka.createTopic("fp-refuse")
            kafka.faults { refuseConnections(30.seconds) }.use {
                producer(ProducerConfig.MAX_BLOCK_MS_CONFIG to 1500).use { p ->
                    shouldThrow<org.apache.kafka.common.errors.TimeoutException> { p.partitionsFor("fp-refuse") }
                }
            }
            producer().use { p -> p.send(ProducerRecord("fp-refuse", "k", "v")).get(30, SECONDS) }
        }

        test("EndTxn whose answer is lost once: the commit is retried and commits") {
            kafka.createTopic("fp-txn")
            producer(ProducerConfig.TRANSACTIONAL_ID_CONFIG to "fp-txn-1", ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 2000).use { p ->
                p.initTransactions()
                kafka.faults { endTxn { drop(times = 1) } }.use { faults ->
                    p.beginTransaction()
                    p.send(ProducerRecord("fp-txn", "k", "committed")).get(30, SECONDS)
                    p.commitTransaction()
                    faults.applied(ApiKeys.END_TXN) shouldBe 1
                    faults.requests(ApiKeys.END_TXN) shouldBeGreaterThanOrEqual 2
                }
            }
            kafka.readAllStrings("fp-txn", isolationLevel = org.apache.kafka.common.IsolationLevel.READ_COMMITTED).map { it.value() } shouldBe
                listOf("committed")
        }

        test("InitProducerId answered with a fatal error fails initTransactions with Kafka's exception for it") {
            producer(ProducerConfig.TRANSACTIONAL_ID_CONFIG to "fp-init-1").use { p ->
                kafka.faults { initProducerId { respond(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) } }.use {
                    shouldThrow<TransactionalIdAuthorizationException> { p.initTransactions() }
                }
            }
        }

        test("delay holds one answer back, and closing the scope heals every fault") {
            kafka.createTopic("fp-delay")
            producer(ProducerConfig.LINGER_MS_CONFIG to 0, ProducerConfig.RETRIES_CONFIG to 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false).use { p ->
                p.send(ProducerRecord("fp-delay", "warm", "v")).get(30, SECONDS)
                kafka.faults { produce(topic = "fp-delay") { delay(400.milliseconds, times = 1) } }.use { faults ->
                    val mark = TimeSource.Monotonic.markNow()
                    p.send(ProducerRecord("fp-delay", "late", "v")).get(30, SECONDS)
                    mark.elapsedNow().inWholeMilliseconds shouldBeGreaterThanOrEqual 400
                    faults.applied() shouldBe 1
                }
                val faults = kafka.faults { produce(topic = "fp-delay") { respond(Errors.NOT_ENOUGH_REPLICAS) } }
                shouldThrow<ExecutionException> { p.send(ProducerRecord("fp-delay", "refused", "v")).get(30, SECONDS) }
                faults.close()
                p.send(ProducerRecord("fp-delay", "healed", "v")).get(30, SECONDS)
                faults.applied() shouldBe 1
            }
        }

        test("a fraction hits every n-th matching request, the same on every run") {
            kafka.createTopic("fp-fraction")
            producer(ProducerConfig.LINGER_MS_CONFIG to 0, ProducerConfig.RETRY_BACKOFF_MS_CONFIG to 10).use { p ->
                p.partitionsFor("fp-fraction")
                kafka.faults { produce(topic = "fp-fraction") { respond(Errors.NOT_ENOUGH_REPLICAS, fraction = 0.25) } }.use { faults ->
                    (1..12).forEach { p.send(ProducerRecord("fp-fraction", "k$it", "v")).get(30, SECONDS) }
                    val requests = faults.requests(ApiKeys.PRODUCE)
                    faults.applied().toLong() shouldBe requests / 4
                    faults.applied().toLong() shouldBeGreaterThanOrEqual 3
                }
            }
            kafka.readAllStrings("fp-fraction").size shouldBe 12
        }

        test("a bandwidth cap slows a large record down to the cap") {
            kafka.createTopic("fp-bandwidth")
            producer(ProducerConfig.LINGER_MS_CONFIG to 0).use { p ->
                p.send(ProducerRecord("fp-bandwidth", "warm", "v")).get(30, SECONDS)
                kafka.faults { bandwidth(bytesPerSecond = 200_000) }.use {
                    val mark = TimeSource.Monotonic.markNow()
                    p.send(ProducerRecord("fp-bandwidth", "big", "x".repeat(400_000))).get(30, SECONDS)
                    mark.elapsedNow().inWholeMilliseconds shouldBeGreaterThanOrEqual 1500
                }
            }
        }

        test("a Metadata error for one broker: the client retries and finds the topic") {
            kafka.createTopic("fp-metadata")
            producer().use { p ->
                kafka.faults { metadata(topic = "fp-metadata", broker = 1) { respond(Errors.UNKNOWN_TOPIC_OR_PARTITION, times = 2) } }.use { faults ->
                    p.send(ProducerRecord("fp-metadata", "k", "v")).get(30, SECONDS)
                    faults.applied(ApiKeys.METADATA) shouldBe 2
                    faults.requests(ApiKeys.METADATA, brokerId = 1) shouldBeGreaterThanOrEqual 3
                }
            }
        }

        test("a scope a test leaves open...") {
            kafka.createTopic("fp-left-open")
            kafka.faults { produce(topic = "fp-left-open") { respond(Errors.NOT_ENOUGH_REPLICAS) } }
        }

        test("...is closed by the extension after that test") {
            producer(ProducerConfig.RETRIES_CONFIG to 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false).use { p ->
                p.send(ProducerRecord("fp-left-open", "k", "v")).get(30, SECONDS)
            }
        }

        test("invalid faults are refused naming every problem") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    kafka.faults {
                        produce(partition = 1) { respond(Errors.NONE) }
                        initProducerId(broker = 7) { drop(times = 0) }
                        requests(ApiKeys.END_TXN, topic = "t") { delay(0.milliseconds) }
                        metadata { }
                        latency((-1).milliseconds)
                    }
                }
            error.message!! shouldContain "a partition needs its topic"
            error.message!! shouldContain "Errors.NONE is a success"
            error.message!! shouldContain "there is no broker 7"
            error.message!! shouldContain "times must be at least 1"
            error.message!! shouldContain "EndTxn requests name no topic"
            error.message!! shouldContain "delay must be positive"
            error.message!! shouldContain "no fault given"
            error.message!! shouldContain "latency: toBroker must be zero or more"
            error.message!! shouldContain "latency: toClient must be zero or more"
        }

        test("a cluster without the proxy says how to turn it on") {
            EmbeddedKafka { }.use { plain ->
                shouldThrow<IllegalStateException> { plain.faults { latency(1.milliseconds) } }.message!! shouldContain "faultProxy = true"
            }
        }
    })
