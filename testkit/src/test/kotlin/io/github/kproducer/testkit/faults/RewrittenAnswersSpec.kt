package io.github.kproducer.testkit.faults

import ch.qos.logback.classic.Level
import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.read.ListAppender
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.github.kproducer.testkit.support.metric
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.CommonClientConfigs
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.OffsetSpec
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.TopicAuthorizationException
import org.apache.kafka.common.errors.UnsupportedVersionException
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

/**
 * Faults that rewrite the broker's answer rather than replace it (one partition's error, a throttle
 * time, narrowed API versions) and KIP-1102's rebootstrap request, each against the real client.
 */
class RewrittenAnswersSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { faultProxy = true }
        val clients = AtomicInteger()

        fun producer(vararg extra: Pair<String, Any>): KafkaProducer<String, String> =
            KafkaProducer(
                kafka.connectionProperties() + mapOf(ProducerConfig.CLIENT_ID_CONFIG to "rewritten-${clients.incrementAndGet()}") + extra,
                StringSerializer(),
                StringSerializer(),
            )

        /** Runs [block] while [loggers] log at INFO into a list, and returns what they logged. */
        fun logged(
            vararg loggers: String,
            block: () -> Unit,
        ): List<String> {
            val appender = ListAppender<ILoggingEvent>().apply { start() }
            val targets = loggers.map { LoggerFactory.getLogger(it) as Logger }
            val levels = targets.map { it.level }
            targets.forEach {
                it.level = Level.INFO
                it.addAppender(appender)
            }
            try {
                block()
            } finally {
                targets.forEachIndexed { i, logger ->
                    logger.detachAppender(appender)
                    logger.level = levels[i]
                }
            }
            return appender.list.map { it.formattedMessage }
        }

        // A batch per partition, sent together by flush(): one Produce request holds both partitions.
        val together = arrayOf(ProducerConfig.LINGER_MS_CONFIG to 5_000, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false)

        test("respondForPartition on Produce: in a request for two partitions only the chosen one fails, and its record is not appended") {
            kafka.createTopic("rw-produce-one", partitions = 2)
            producer(ProducerConfig.RETRIES_CONFIG to 0, *together).use { p ->
                p.partitionsFor("rw-produce-one")
                kafka.faults { produce(topic = "rw-produce-one", partition = 1) { respondForPartition(Errors.NOT_ENOUGH_REPLICAS) } }.use { faults ->
                    val kept = p.send(ProducerRecord("rw-produce-one", 0, "kept", "v"))
                    val failed = p.send(ProducerRecord("rw-produce-one", 1, "failed", "v"))
                    p.flush()
                    kept.get(30, SECONDS).offset() shouldBe 0L
                    shouldThrow<ExecutionException> { failed.get(30, SECONDS) }.cause.shouldBeInstanceOf<NotEnoughReplicasException>()
                    faults.requests(ApiKeys.PRODUCE) shouldBe 1L
                    faults.applied(ApiKeys.PRODUCE) shouldBe 1
                }
            }
            kafka.readAllStrings("rw-produce-one").map { it.partition() to it.key() } shouldBe listOf(0 to "kept")
        }

        test("respondForPartition retried without idempotence: the failed partition's record is appended once, when the fault has passed") {
            kafka.createTopic("rw-produce-retry", partitions = 2)
            producer(ProducerConfig.RETRY_BACKOFF_MS_CONFIG to 10, ProducerConfig.ACKS_CONFIG to "all", *together).use { p ->
                p.partitionsFor("rw-produce-retry")
                val twice = kafka.faults { produce(topic = "rw-produce-retry", partition = 1) { respondForPartition(Errors.NOT_ENOUGH_REPLICAS, times = 2) } }
                twice.use { faults ->
                    val first = p.send(ProducerRecord("rw-produce-retry", 0, "a", "v"))
                    val second = p.send(ProducerRecord("rw-produce-retry", 1, "b", "v"))
                    p.flush()
                    first.get(30, SECONDS).offset() shouldBe 0L
                    second.get(30, SECONDS).offset() shouldBe 0L
                    faults.applied(ApiKeys.PRODUCE) shouldBe 2
                    // One request for both partitions, then partition 1 alone: once answered by the proxy, once by the broker.
                    faults.requests(ApiKeys.PRODUCE) shouldBe 3L
                }
                p.metric("record-retry-total") shouldBe 2.0
            }
            kafka.readAllStrings("rw-produce-retry").map { it.partition() to it.key() }.sortedBy { it.first } shouldBe listOf(0 to "a", 1 to "b")
        }

        test("respondForPartition on Metadata: the partition has no leader until the fault passes, and a send to it waits for one") {
            kafka.createTopic("rw-metadata", partitions = 2)
            kafka
                .faults {
                    requests(ApiKeys.METADATA, topic = "rw-metadata", partition = 1) { respondForPartition(Errors.LEADER_NOT_AVAILABLE, times = 3) }
                }.use { faults ->
                    producer().use { p ->
                        val partitions = p.partitionsFor("rw-metadata").associateBy { it.partition() }
                        partitions.getValue(0).leader().shouldNotBeNull()
                        partitions.getValue(1).leader().shouldBeNull()
                        p.send(ProducerRecord("rw-metadata", 1, "k", "v")).get(30, SECONDS).partition() shouldBe 1
                    }
                    // The send could only go once an answer named a leader: the fourth.
                    faults.applied(ApiKeys.METADATA) shouldBe 3
                }
        }

        test("respondForPartition on ListOffsets: one partition fails with a fatal error, the other gets its offset; a retriable one is retried") {
            kafka.createTopic("rw-offsets", partitions = 2)
            producer().use { p ->
                (1..3).forEach { p.send(ProducerRecord("rw-offsets", 0, "k$it", "v")).get(30, SECONDS) }
                (1..2).forEach { p.send(ProducerRecord("rw-offsets", 1, "k$it", "v")).get(30, SECONDS) }
            }
            val p0 = TopicPartition("rw-offsets", 0)
            val p1 = TopicPartition("rw-offsets", 1)
            Admin.create(kafka.connectionProperties() + mapOf(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG to 10)).use { admin ->
                kafka.faults { listOffsets(topic = "rw-offsets", partition = 1) { respondForPartition(Errors.TOPIC_AUTHORIZATION_FAILED) } }.use { faults ->
                    val result = admin.listOffsets(mapOf(p0 to OffsetSpec.latest(), p1 to OffsetSpec.latest()))
                    result.partitionResult(p0).get(30, SECONDS).offset() shouldBe 3L
                    shouldThrow<ExecutionException> { result.partitionResult(p1).get(30, SECONDS) }.cause.shouldBeInstanceOf<TopicAuthorizationException>()
                    faults.requests(ApiKeys.LIST_OFFSETS) shouldBe 1L
                    faults.applied(ApiKeys.LIST_OFFSETS) shouldBe 1
                }
                val retriable =
                    kafka.faults {
                        listOffsets(
                            topic = "rw-offsets",
                            partition = 1,
                        ) { respondForPartition(Errors.OFFSET_NOT_AVAILABLE, times = 2) }
                    }
                retriable.use { faults ->
                    admin
                        .listOffsets(mapOf(p1 to OffsetSpec.latest()))
                        .partitionResult(p1)
                        .get(30, SECONDS)
                        .offset() shouldBe 2L
                    faults.applied(ApiKeys.LIST_OFFSETS) shouldBe 2
                }
            }
        }

        test("throttle: the client mutes the connection for the throttle time (KIP-219) and reports it in its metrics") {
            kafka.createTopic("rw-throttle")
            producer(ProducerConfig.LINGER_MS_CONFIG to 0).use { p ->
                p.send(ProducerRecord("rw-throttle", "warm", "v")).get(30, SECONDS)
                p.metric("produce-throttle-time-max") shouldBe 0.0
                kafka.faults { produce(topic = "rw-throttle") { throttle(1.seconds, times = 1) } }.use { faults ->
                    val mark = TimeSource.Monotonic.markNow()
                    p.send(ProducerRecord("rw-throttle", "throttled", "v")).get(30, SECONDS)
                    p.send(ProducerRecord("rw-throttle", "behind", "v")).get(30, SECONDS)
                    // The second record could leave only once the first answer's throttle had passed (less the
                    // millisecond clock's rounding): a floor, never a ceiling.
                    mark.elapsedNow().inWholeMilliseconds shouldBeGreaterThanOrEqual 950
                    faults.applied(ApiKeys.PRODUCE) shouldBe 1
                }
                p.metric("produce-throttle-time-max") shouldBe 1000.0
            }
            kafka.readAllStrings("rw-throttle").map { it.key() } shouldBe listOf("warm", "throttled", "behind")
        }

        test("throttle works on any API with a throttle time: the client reads it from a Metadata answer") {
            kafka.createTopic("rw-throttle-metadata")
            kafka.faults { metadata(topic = "rw-throttle-metadata") { throttle(300.milliseconds, times = 1) } }.use { faults ->
                producer(ProducerConfig.LINGER_MS_CONFIG to 0).use { p ->
                    p.partitionsFor("rw-throttle-metadata").size shouldBe 1
                    p.send(ProducerRecord("rw-throttle-metadata", "k", "v")).get(30, SECONDS)
                    // The client records every answer's throttle time in this one sensor, whatever its API.
                    p.metric("produce-throttle-time-max") shouldBe 300.0
                }
                faults.applied(ApiKeys.METADATA) shouldBe 1
            }
        }

        test("apiVersions with a lower Produce maximum: a client connecting meanwhile sends that older version, and the newest once healed") {
            kafka.createTopic("rw-versions")
            kafka.faults { apiVersions { maxVersion(ApiKeys.PRODUCE, 8) } }.use { faults ->
                producer().use { p -> p.send(ProducerRecord("rw-versions", "old", "v")).get(30, SECONDS) }
                faults.requestVersions(ApiKeys.PRODUCE) shouldBe setOf<Short>(8)
            }
            kafka.faults { }.use { faults ->
                producer().use { p -> p.send(ProducerRecord("rw-versions", "new", "v")).get(30, SECONDS) }
                faults.requestVersions(ApiKeys.PRODUCE).single().toInt() shouldBeGreaterThan 8
            }
            kafka.readAllStrings("rw-versions").map { it.key() } shouldBe listOf("old", "new")
        }

        test("apiVersions with a Produce range the client shares no version with: its sends fail with UnsupportedVersionException") {
            kafka.createTopic("rw-too-old")
            kafka.faults { apiVersions { versions(ApiKeys.PRODUCE, minVersion = 0, maxVersion = 2) } }.use { faults ->
                producer().use { p ->
                    shouldThrow<ExecutionException> { p.send(ProducerRecord("rw-too-old", "k", "v")).get(30, SECONDS) }
                        .cause
                        .shouldBeInstanceOf<UnsupportedVersionException>()
                }
                faults.requests(ApiKeys.PRODUCE) shouldBe 0L
            }
        }

        test("REBOOTSTRAP_REQUIRED in a Metadata answer (KIP-1102): a client with metadata.recovery.strategy=rebootstrap rebootstraps, with none not") {
            kafka.createTopic("rw-rebootstrap")
            val rebootstrapping = "rewritten-rebootstrap"
            val staying = "rewritten-stays"
            val lines =
                logged("org.apache.kafka.clients.NetworkClient", "org.apache.kafka.clients.Metadata") {
                    for ((clientId, strategy) in listOf(rebootstrapping to "rebootstrap", staying to "none")) {
                        producer(ProducerConfig.CLIENT_ID_CONFIG to clientId, CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG to strategy).use { p ->
                            kafka.faults { metadata(topic = "rw-rebootstrap") { respond(Errors.REBOOTSTRAP_REQUIRED, times = 1) } }.use { faults ->
                                p.partitionsFor("rw-rebootstrap").size shouldBe 1
                                faults.applied(ApiKeys.METADATA) shouldBe 1
                            }
                        }
                    }
                }
            val ofRebootstrapping = lines.filter { it.contains("clientId=$rebootstrapping]") }
            ofRebootstrapping.map { it.substringAfter("] ") } shouldContain "Rebootstrap requested by server."
            ofRebootstrapping.filter { it.contains("Rebootstrapping with") }.size shouldBe 1
            // The other client only logs the topic errors that Kafka's own error answer also carries.
            lines.filter { it.contains("clientId=$staying]") && (it.contains("Rebootstrap requested") || it.contains("Rebootstrapping")) }.shouldBeEmpty()
        }

        test("invalid answer faults are refused naming every problem and its fix") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    kafka.faults {
                        produce(topic = "t") { respondForPartition(Errors.NOT_ENOUGH_REPLICAS) }
                        endTxn { respondForPartition(Errors.CONCURRENT_TRANSACTIONS) }
                        requests(ApiKeys.METADATA, topic = "t", partition = 0) { respond(Errors.LEADER_NOT_AVAILABLE) }
                        listOffsets(topic = "t", partition = 0) { respondForPartition(Errors.REBOOTSTRAP_REQUIRED) }
                        produce { throttle((-5).milliseconds) }
                        requests(ApiKeys.SASL_HANDSHAKE) { throttle(1.seconds) }
                        apiVersions { versions(ApiKeys.PRODUCE, minVersion = 5, maxVersion = 3) }
                        apiVersions {
                            maxVersion(ApiKeys.PRODUCE, 99)
                            maxVersion(ApiKeys.FETCH, 1)
                        }
                        apiVersions(broker = 7) { }
                    }
                }
            val message = error.message!!
            message shouldContain "respondForPartition needs the partition it fails; select its topic and partition, e.g. produce(topic = \"t\", partition = 0)"
            message shouldContain "EndTxn has none (use respond to answer the whole request)"
            message shouldContain "Metadata requests name no partition; drop partition = ..., or fail that partition in the answer with respondForPartition"
            message shouldContain "REBOOTSTRAP_REQUIRED is an error of the whole Metadata answer (KIP-1102)"
            message shouldContain "throttle must be at least 1 ms and at most 2147483647 ms, was -5ms"
            message shouldContain "SaslHandshake answers carry no throttle time"
            message shouldContain "Produce versions 5..3 are an empty range; minVersion must be at most maxVersion"
            message shouldContain "Produce maxVersion 99 is above the broker's newest version"
            message shouldContain "Fetch maxVersion 1 is below the broker's oldest version, 4"
            message shouldContain "to advertise versions below it, give both ends: versions(ApiKeys.FETCH, minVersion, maxVersion)"
            message shouldContain "apiVersions(broker = 7): there is no broker 7"
            message shouldContain "apiVersions(broker = 7): no range given; call maxVersion or versions in its block"
        }
    })
