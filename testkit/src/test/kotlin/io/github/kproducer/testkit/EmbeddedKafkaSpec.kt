package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TopicExistsException
import org.apache.kafka.common.serialization.StringSerializer
import org.apache.kafka.common.utils.Utils
import java.util.concurrent.ExecutionException
import kotlin.time.Duration.Companion.seconds
import kotlin.time.measureTimedValue

class EmbeddedKafkaSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        fun producer(vararg extra: Pair<String, Any>) = KafkaProducer(kafka.connectionProperties() + extra, StringSerializer(), StringSerializer())

        test("a record produced to the broker is read back with its key, value, headers, partition and timestamp") {
            kafka.createTopic("greetings", partitions = 1)
            val record = ProducerRecord("greetings", null, 1_700_000_000_000L, "hello", "world")
            record.headers().add("trace-id", "abc-123".toByteArray())
            val metadata = producer().use { it.send(record).get() }

            val read = kafka.readStrings("greetings", 1).single()

            read.key() shouldBe "hello"
            read.value() shouldBe "world"
            read.partition() shouldBe metadata.partition()
            read.offset() shouldBe metadata.offset()
            read.timestamp() shouldBe 1_700_000_000_000L
            String(read.headers().lastHeader("trace-id").value()) shouldBe "abc-123"
        }

        test("records with the same key land in one of three partitions, in the order they were sent") {
            kafka.createTopic("keyed", partitions = 3)
            val keys = listOf("alpha", "bravo", "charlie", "delta", "echo")
            producer().use { p -> (0 until 50).forEach { i -> p.send(ProducerRecord("keyed", keys[i % keys.size], "$i")) } }

            val records = kafka.readStrings("keyed", 50)

            records shouldHaveSize 50
            // The broker stored each key where the client's default partitioner (murmur2 of the key) put it.
            records.forEach { it.partition() shouldBe Utils.toPositive(Utils.murmur2(it.key()!!.toByteArray())) % 3 }
            for ((key, ofKey) in records.groupBy { it.key() }) {
                ofKey.map { it.partition() }.toSet() shouldHaveSize 1
                ofKey.sortedBy { it.offset() }.map { it.value()!!.toInt() } shouldBe
                    (0 until 50).filter { keys[it % keys.size] == key }
            }
        }

        test("topic configs reach the broker: a record above max.message.bytes is rejected by the broker") {
            kafka.createTopic("small", configs = mapOf("max.message.bytes" to "1024"))
            val error =
                shouldThrow<ExecutionException> {
                    producer(ProducerConfig.COMPRESSION_TYPE_CONFIG to "none").use { it.send(ProducerRecord("small", "x".repeat(4096))).get() }
                }
            error.cause!!::class shouldBe RecordTooLargeException::class
        }

        test("creating a topic twice fails with Kafka's TopicExistsException, whose stack trace shows the createTopic call") {
            kafka.createTopic("twice")
            val error = shouldThrow<TopicExistsException> { kafka.createTopic("twice") }
            // Kafka's API exceptions come without a stack trace; the test's report must still show where.
            error.stackTrace.map { "${it.className}.${it.methodName}" } shouldContain "io.github.kproducer.testkit.EmbeddedKafka.createTopic"
        }

        test("reading fewer records than expected fails after the timeout and says what it found") {
            kafka.createTopic("sparse", partitions = 2)
            producer().use { it.send(ProducerRecord("sparse", 0, "k", "only one")).get() }
            val error = shouldThrow<AssertionError> { kafka.readStrings("sparse", 2, timeout = 1.seconds) }
            error.message shouldContain "read 1 (partition 0: 1, partition 1: 0)"
        }

        test("reading a topic that does not exist fails after the timeout and says so") {
            val error = shouldThrow<AssertionError> { kafka.readStrings("never-created", 1, timeout = 1.seconds) }
            error.message shouldStartWith "read('never-created', timeout = 1s): topic 'never-created' did not appear within the timeout"
        }

        test("readAll returns everything up to the end, and read_committed leaves out aborted transactions") {
            kafka.createTopic("read-all", partitions = 2)
            val props =
                kafka.connectionProperties() + (ProducerConfig.TRANSACTIONAL_ID_CONFIG to "read-all-tx")
            KafkaProducer(props, StringSerializer(), StringSerializer()).use { p ->
                p.initTransactions()
                p.beginTransaction()
                p.send(ProducerRecord("read-all", "k", "committed"))
                p.commitTransaction()
                p.beginTransaction()
                p.send(ProducerRecord("read-all", "k", "aborted"))
                p.flush()
                p.abortTransaction()
            }
            kafka.readAllStrings("read-all").map { it.value() } shouldBe listOf("committed", "aborted")
            kafka.readAllStrings("read-all", IsolationLevel.READ_COMMITTED).map { it.value() } shouldBe listOf("committed")
            // The brokers' "unknown topic" is believed after a second, long before the timeout.
            val (missing, took) = measureTimedValue { shouldThrow<AssertionError> { kafka.readAllStrings("no-topic-here", timeout = 20.seconds) } }
            missing.message shouldContain "topic 'no-topic-here' does not exist"
            took shouldBeLessThan 20.seconds
        }

        test("the connection properties reach every broker of the cluster") {
            kafka.admin().use { admin ->
                admin
                    .describeCluster()
                    .nodes()
                    .get()
                    .map { it.id() } shouldContainExactly kafka.brokerIds
            }
            kafka.bootstrapServers shouldBe kafka.bootstrapServersOf(1)
        }

        test("stopping the only running broker is refused, because it would leave no cluster") {
            val error = shouldThrow<IllegalStateException> { kafka.stopBroker(1) }
            error.message shouldContain "last one running"
            shouldThrow<IllegalArgumentException> { kafka.stopBroker(7) }.message shouldContain "There is no broker 7"
        }

        test("an outage stops every broker; starting them again brings back the same cluster, data and address") {
            kafka.createTopic("outage")
            producer().use { it.send(ProducerRecord("outage", "k", "before")).get() }
            val address = kafka.bootstrapServers

            kafka.stopAllBrokers()
            kafka.brokerIds.forEach { kafka.isRunning(it) shouldBe false }
            shouldThrow<IllegalStateException> { kafka.stopAllBrokers() }.message shouldContain "already stopped"

            kafka.startAllBrokers()
            kafka.brokerIds.forEach { kafka.isRunning(it) shouldBe true }
            shouldThrow<IllegalStateException> { kafka.startAllBrokers() }.message shouldContain "already running"
            kafka.bootstrapServers shouldBe address
            producer().use { it.send(ProducerRecord("outage", "k", "after")).get() }
            kafka.readStrings("outage", 2).map { it.value() } shouldContainExactly listOf("before", "after")
        }

        test("with automatic topic creation off, a send to an unknown topic times out naming the topic") {
            EmbeddedKafka { autoCreateTopics = false }.use { strict ->
                val props = strict.connectionProperties() + (ProducerConfig.MAX_BLOCK_MS_CONFIG to 1000)
                KafkaProducer(props, StringSerializer(), StringSerializer()).use { p ->
                    val error = shouldThrow<ExecutionException> { p.send(ProducerRecord("missing", "v")).get() }
                    (error.cause is TimeoutException) shouldBe true
                    error.cause!!.message shouldContain "missing"
                }
            }
        }
    })
