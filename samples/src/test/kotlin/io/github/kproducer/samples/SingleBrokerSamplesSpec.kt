package io.github.kproducer.samples

import io.github.kproducer.dsl.Compression
import io.github.kproducer.testkit.read
import io.github.kproducer.testkit.readAllStrings
import io.github.kproducer.testkit.readStrings
import io.github.kproducer.testkit.shouldHaveHeader
import io.github.kproducer.testkit.shouldKeepEachKeyInOnePartition
import io.github.kproducer.testkit.shouldPreserveOrderPerKey
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldMatch
import io.kotest.provided.samplesKafka
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.IntegerDeserializer
import org.apache.kafka.common.serialization.StringDeserializer
import org.apache.kafka.common.serialization.StringSerializer
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import kotlin.time.Duration.Companion.milliseconds

/**
 * Each single-broker Kotlin sample, run against the project's embedded broker, judged by what reached
 * the broker. The Java samples have JUnit 5 tests of their own, in src/test/java.
 */
class SingleBrokerSamplesSpec :
    FunSpec({
        val kafka = install(samplesKafka)

        test("send-modes: the CustomerCountry records, WORLD on test, and the missing-setting error") {
            val run = Captured(kafka, scale = 0.2)
            val result = SendModes.demo(run.env)

            val customers = kafka.readStrings("CustomerCountry", 3)
            customers.map { it.key() to it.value() } shouldContainExactlyInAnyOrder
                listOf("Precision Products" to "France", "Precision Products" to "France", "Biomedical Materials" to "USA")
            customers.shouldKeepEachKeyInOnePartition()
            result.synchronous.topic() shouldBe "CustomerCountry"
            result.asynchronous.partition() shouldBe customers.first { it.key() == "Biomedical Materials" }.partition()
            kafka.readStrings("test", 1).first().value() shouldBe "WORLD"
            result.missingSettingError shouldContain "bootstrapServers is not set"
            run.printed shouldContain "Synchronous: sent to CustomerCountry"
        }

        test("against a cluster named by its bootstrap servers, createTopic makes the topic over Admin and returns once it serves") {
            // The path of `--bootstrap-servers`: no embedded cluster to ask, so the wait runs over Admin.
            val env = SampleEnvironment(kafka.bootstrapServers, cluster = null, out = PrintStream(ByteArrayOutputStream()))
            env.createTopic("external-cluster", partitions = 3)
            env.createTopic("external-cluster", partitions = 3) // a second run of a sample finds it made
            val noRetries = mapOf<String, Any>(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG to kafka.bootstrapServers, ProducerConfig.RETRIES_CONFIG to 0)
            KafkaProducer(noRetries, StringSerializer(), StringSerializer()).use { producer ->
                (0 until 3).map { producer.send(ProducerRecord("external-cluster", it, "k", "v")) }.map { it.get().offset() } shouldBe listOf(0L, 0L, 0L)
            }
        }

        test("simple-producer: one keyless 'hello world N' record") {
            val metadata = SimpleProducer.run(kafka.bootstrapServers)
            val records = kafka.readStrings(SimpleProducer.TOPIC, 1)
            records.forEach {
                it.key() shouldBe null
                it.value()!! shouldMatch Regex("hello world \\d{1,3}")
            }
            records.map { it.offset() } shouldBe listOf(metadata.offset())
        }

        test("producer-example: ten Integer values under keys key-0..key-9") {
            ProducerExample.sendTen(Captured(kafka).env)
            val records = kafka.read(ProducerExample.TOPIC, 10, StringDeserializer(), IntegerDeserializer())
            records.map { it.key() to it.value() } shouldContainExactlyInAnyOrder (0 until 10).map { "key-$it" to it }
            records.shouldKeepEachKeyInOnePartition()
        }

        test("json-events: 'Hello Kafka!' and the keyed LOGIN event as JSON") {
            JsonEvents.send(Captured(kafka).env)
            val records = kafka.readStrings(JsonEvents.TOPIC, 2)
            records.first { it.key() == null }.value() shouldBe "Hello Kafka!"
            records.first { it.key() == "user-123" }.value()!! shouldMatch Regex("""\{"userId":"123","action":"LOGIN","timestamp":\d+}""")
        }

        test("batch-and-parallel: 100 on batch-topic and every message on each of the parallel topics") {
            val counts = BatchAndParallel.send(Captured(kafka, scale = 0.4).env)
            counts shouldBe mapOf("batch-topic" to 100, "orders" to 20, "payments" to 20, "shipments" to 20)
            kafka.readStrings("batch-topic", 100).map { it.value() }.toSet() shouldBe (0 until 100).map { "Message $it" }.toSet()
            BatchAndParallel.topics.forEach { topic -> kafka.readStrings(topic, 20).shouldHaveSize(20) }
        }

        test("partitioning: keys hashed, the custom partitioner groups by user id, the explicit record is in partition 2") {
            val result = Partitioning.demo(Captured(kafka).env)
            result.defaultByKey.values.forEach { it shouldHaveSize 1 }
            result.customByUser.forEach { (user, partitions) -> partitions shouldBe setOf(Partitioning.userPartition(user, Partitioning.PARTITIONS)) }
            result.explicit shouldBe 2
            val stored = kafka.readAllStrings(Partitioning.TOPIC)
            stored.first { it.value() == "Direct partition message" }.partition() shouldBe 2
        }

        test("transactions: read_committed sees only the committed transaction on both topics") {
            val result = TransactionalProducer.demo(Captured(kafka).env)
            TransactionalProducer.topics.forEach { topic ->
                result.committed.getValue(topic) shouldBe listOf("committed message")
                result.uncommitted.getValue(topic) shouldBe listOf("committed message", "aborted message")
                kafka.readAllStrings(topic, IsolationLevel.READ_COMMITTED).map { it.value() } shouldBe listOf("committed message")
            }
        }

        test("performance: every record of the run arrives, and the report gives records/s and MiB/s") {
            val run = Captured(kafka, scale = 0.1)
            val result = PerformanceRun.measure(run.env)
            result.records shouldBe 10_000
            kafka.readStrings(PerformanceRun.TOPIC, 10_000) shouldHaveSize 10_000
            run.printed shouldContain "records/s"
            run.printed shouldContain "MiB/s"
        }

        test("key-ordering: 2,000 keys sent twice, each key in one partition, each of the 3 consumers reading one partition") {
            val result = KeyOrdering.demo(Captured(kafka).env)
            result.recordsRead shouldBe 4_000
            result.splitKeys shouldBe 0
            result.perPartition.values.sumOf { it.first } shouldBe 2_000
            result.perConsumer.values
                .map { it.first }
                .flatten()
                .sorted() shouldBe listOf(0, 1, 2)
            result.perConsumer.values.forEach { (partitions, read) ->
                partitions shouldHaveSize 1
                read shouldBe result.perPartition.getValue(partitions.single()).second
            }
        }

        test("monitoring: the periodic counters agree with the broker and with metrics()") {
            val run = Captured(kafka)
            val result = Monitoring.watch(run.env, every = 300.milliseconds, runFor = 1_000.milliseconds)
            result.reports.size shouldBeGreaterThan 1
            result.failures shouldBeGreaterThan 0L
            result.successes shouldBe result.metricsAcknowledged
            result.failures shouldBe result.metricsFailed
            kafka.readAllStrings(Monitoring.TOPIC).size.toLong() shouldBe result.successes
            run.printed shouldContain "success: "
        }

        test("headers-interceptors: the note's headers arrive, with the interceptor's producedAt") {
            val record = HeadersAndInterceptors.demo(Captured(kafka).env)
            record.key() shouldBe "order-456"
            record.value() shouldBe """{"orderId":"order-456","amount":12900}"""
            record.shouldHaveHeader("transactionId", "tx-20250107-001").shouldHaveHeader("sourceType", "web").shouldHaveHeader("producedAt")
        }

        test("presets: card payments acknowledge with all replicas and idempotence, click logs with the leader only") {
            val result = UseCasePresets.compare(Captured(kafka, scale = 0.1).env)
            result.payments.properties["acks"] shouldBe "all"
            result.payments.properties["enable.idempotence"] shouldBe true
            result.clicks.properties["acks"] shouldBe "1"
            result.clicks.properties["compression.type"] shouldBe "zstd"
            kafka.readStrings("card-payments", result.sentEach) shouldHaveSize result.sentEach
            kafka.readStrings("click-logs", result.sentEach) shouldHaveSize result.sentEach
        }

        test("back-pressure: through a 64 KiB buffer every record arrives in order, and the thread kept serving the ticker") {
            val result = BackPressure.demo(Captured(kafka, scale = 0.25).env)
            result.acknowledged shouldBe result.records.toLong()
            result.ticks shouldBeGreaterThan 5
            val stored = kafka.readAllStrings(BackPressure.TOPIC)
            stored shouldHaveSize result.records
            stored.shouldPreserveOrderPerKey((0 until result.records).map { ProducerRecord(BackPressure.TOPIC, "key-${it % 10}", "x".repeat(1024)) })
        }

        test("compression: a table row per codec, and every codec sends fewer bytes than none") {
            val run = Captured(kafka, scale = 0.2)
            val rows = CompressionComparison.compare(run.env)
            rows.map { it.codec } shouldBe Compression.entries
            val none = rows.first { it.codec == Compression.NONE }.bytesOnWire
            rows.filter { it.codec != Compression.NONE }.forEach { it.bytesOnWire shouldBeLessThan none }
            run.printed shouldContain "bytes on wire"
            Compression.entries.forEach { codec -> kafka.readAllStrings("compression-${codec.kafkaValue}") shouldHaveSize 10_000 }
        }
    })
