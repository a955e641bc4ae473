package io.github.kproducer.testkit

import io.github.kproducer.testkit.support.SlowProxy
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import org.apache.kafka.clients.CommonClientConfigs
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.serialization.Deserializer
import org.apache.kafka.common.serialization.StringDeserializer
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.measureTimedValue

/**
 * The test kit's own waits on a slow or silent network and on fresh topics: each is bounded by the
 * caller's timeout, retries what Kafka says to retry, and ends in an AssertionError that names the call.
 */
class TestKitWaitsSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        /** The cluster as its clients see it through [proxy]: they bootstrap through it. */
        fun through(proxy: SlowProxy): KafkaCluster =
            object : KafkaCluster {
                override val bootstrapServers: String = proxy.address

                override fun connectionProperties(): Map<String, Any> =
                    kafka.connectionProperties() + (CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG to proxy.address)

                override fun createTopic(
                    name: String,
                    partitions: Int,
                    replicationFactor: Int,
                    configs: Map<String, String>,
                ) = kafka.createTopic(name, partitions, replicationFactor, configs)

                override fun close() = Unit
            }

        fun producer(vararg extra: Pair<String, Any>) = KafkaProducer(kafka.connectionProperties() + extra, StringSerializer(), StringSerializer())

        test("reads succeed when every new connection to the cluster takes 300 ms to answer") {
            kafka.createTopic("slow-reads", partitions = 3)
            producer().use { p -> (0 until 30).map { p.send(ProducerRecord("slow-reads", "k$it", "v$it")) }.forEach { it.get(30, TimeUnit.SECONDS) } }
            SlowProxy(kafka.bootstrapServers, 300.milliseconds).use { proxy ->
                val slow = through(proxy)
                repeat(5) {
                    slow.readStrings("slow-reads", 30, timeout = 20.seconds) shouldHaveSize 30
                    slow.readAllStrings("slow-reads", timeout = 20.seconds) shouldHaveSize 30
                }
            }
        }

        test("reads of a cluster that never answers end within their timeout, in an AssertionError that names the call") {
            SlowProxy(kafka.bootstrapServers, null).use { proxy ->
                val silent = through(proxy)
                val (read, readTook) = measureTimedValue { shouldThrow<AssertionError> { silent.readStrings("orders", 1, timeout = 1500.milliseconds) } }
                read.message shouldStartWith "read('orders', timeout = 1.5s): topic 'orders' did not appear"
                read.message shouldContain "TimeoutException"
                val (readAll, readAllTook) = measureTimedValue { shouldThrow<AssertionError> { silent.readAllStrings("orders", timeout = 1500.milliseconds) } }
                readAll.message shouldStartWith "readAll('orders', timeout = 1.5s)"
                readAll.message shouldContain "TimeoutException"
                println("[figures] reads of a silent cluster with a 1.5 s timeout failed after $readTook (read) and $readAllTook (readAll)")
                // The timeout, plus at most the consumer's bounded close (1 s) and scheduling.
                readTook shouldBeLessThan 4.seconds
                readAllTook shouldBeLessThan 4.seconds
            }
        }

        test("a failure that retrying cannot fix ends the read at once, naming the read and Kafka's exception") {
            kafka.createTopic("undecodable")
            producer().use { it.send(ProducerRecord("undecodable", "k", "v")).get(30, TimeUnit.SECONDS) }
            val failing = Deserializer<String> { _, _ -> throw SerializationException("cannot decode") }
            val (error, took) =
                measureTimedValue {
                    shouldThrow<AssertionError> {
                        kafka.read(
                            "undecodable",
                            1,
                            StringDeserializer(),
                            failing,
                            timeout = 20.seconds,
                        )
                    }
                }
            error.message shouldStartWith "read('undecodable', timeout = 20s) failed after reading 0 records: RecordDeserializationException"
            took shouldBeLessThan 10.seconds
        }

        test("the first produce to every partition of a fresh topic is accepted at once: 210 partitions, no retries") {
            // retries = 0: a NOT_LEADER_OR_FOLLOWER from a partition that is not serving yet fails the send instead of hiding in a retry.
            producer(
                ProducerConfig.RETRIES_CONFIG to 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false,
                ProducerConfig.ACKS_CONFIG to "1",
            ).use { producer ->
                val failures = ArrayList<String>()
                repeat(70) { i ->
                    val topic = "fresh-$i"
                    kafka.createTopic(topic, partitions = 3)
                    (0 until 3).map { p -> producer.send(ProducerRecord(topic, p, null, "first")) }.forEachIndexed { p, future ->
                        try {
                            future.get(30, TimeUnit.SECONDS)
                        } catch (e: ExecutionException) {
                            failures += "$topic-$p: ${e.cause}"
                        }
                    }
                }
                println("[figures] first produce to 210 fresh partitions: ${failures.size} refused")
                failures.shouldBeEmpty()
            }
        }
    })
