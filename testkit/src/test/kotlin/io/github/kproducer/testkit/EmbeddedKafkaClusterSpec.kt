package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.ListTopicsOptions
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.TimeUnit

class EmbeddedKafkaClusterSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { brokers = 3 }

        fun Admin.replicas(topic: String) =
            describeTopics(listOf(topic))
                .allTopicNames()
                .get()
                .getValue(topic)
                .partitions()

        test("a three-broker cluster keeps accepting acks=all writes with one broker stopped, and the broker rejoins") {
            kafka.createTopic("payments", partitions = 3, replicationFactor = 3, configs = mapOf("min.insync.replicas" to "2"))
            val props =
                kafka.connectionProperties() +
                    mapOf(ProducerConfig.ACKS_CONFIG to "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to true)
            kafka.admin().use { admin ->
                KafkaProducer(props, StringSerializer(), StringSerializer()).use { producer ->
                    repeat(100) { producer.send(ProducerRecord("payments", "card-${it % 10}", "before-$it")).get() }

                    // Stop the leader of partition 0, so that leadership must move.
                    val leader =
                        admin
                            .replicas("payments")
                            .first { it.partition() == 0 }
                            .leader()
                            .id()
                    kafka.stopBroker(leader)
                    kafka.isRunning(leader) shouldBe false
                    admin
                        .describeCluster()
                        .nodes()
                        .get()
                        .map { it.id() } shouldNotContain leader

                    repeat(100) { producer.send(ProducerRecord("payments", "card-${it % 10}", "during-$it")).get() }

                    kafka.startBroker(leader)
                    kafka.isRunning(leader) shouldBe true
                    // startBroker returns once the broker is back in the ISR of its partitions: no waiting here.
                    admin.replicas("payments").forEach { it.isr().map { node -> node.id() } shouldContainExactlyInAnyOrder listOf(1, 2, 3) }
                    repeat(100) { producer.send(ProducerRecord("payments", "card-${it % 10}", "after-$it")).get() }
                }
            }

            val records = kafka.readStrings("payments", 300)
            records shouldHaveSize 300
            records.map { it.value() }.toSet() shouldHaveSize 300
        }

        test("startBroker returns with the broker in the ISR of every partition it replicates, internal topics included") {
            kafka.createTopic("rejoin", partitions = 6, replicationFactor = 3)
            val props = kafka.connectionProperties() + mapOf(ProducerConfig.ACKS_CONFIG to "all")
            KafkaProducer(props, StringSerializer(), StringSerializer()).use { producer ->
                repeat(5) { round ->
                    kafka.stopBroker(2)
                    (0 until 600).map { producer.send(ProducerRecord("rejoin", "k$it", "round-$round-$it")) }.forEach { it.get(60, TimeUnit.SECONDS) }
                    kafka.startBroker(2)
                    kafka.admin().use { admin ->
                        val topics = admin.listTopics(ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS)
                        val partitions =
                            admin
                                .describeTopics(topics)
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .values
                                .flatMap { it.partitions() }
                        partitions.filter { p -> p.replicas().any { it.id() == 2 } }.shouldNotBeEmpty().forEach { p ->
                            p.isr().map { it.id() } shouldContain 2
                        }
                    }
                }
            }
        }

        test("reads and fresh replicated topics work with the first broker stopped; each first produce is accepted at once") {
            kafka.createTopic("one-down", partitions = 3, replicationFactor = 3)
            KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use { producer ->
                (0 until 30).map { producer.send(ProducerRecord("one-down", "k$it", "v$it")) }.forEach { it.get(30, TimeUnit.SECONDS) }
            }
            kafka.stopBroker(1)
            try {
                repeat(10) {
                    kafka.readStrings("one-down", 30) shouldHaveSize 30
                    kafka.readAllStrings("one-down") shouldHaveSize 30
                }
                val noRetries =
                    kafka.connectionProperties() +
                        mapOf(ProducerConfig.RETRIES_CONFIG to 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false, ProducerConfig.ACKS_CONFIG to "all")
                KafkaProducer(noRetries, StringSerializer(), StringSerializer()).use { producer ->
                    val refused = ArrayList<String>()
                    repeat(20) { i ->
                        kafka.createTopic("fresh-replicated-$i", partitions = 3, replicationFactor = 2)
                        (0 until 3).map { p -> p to producer.send(ProducerRecord("fresh-replicated-$i", p, null, "first")) }.forEach { (p, future) ->
                            runCatching { future.get(30, TimeUnit.SECONDS) }.onFailure { refused += "fresh-replicated-$i-$p: ${it.cause ?: it}" }
                        }
                    }
                    refused.shouldBeEmpty()
                }
            } finally {
                kafka.startBroker(1)
            }
        }

        test("a stopped broker cannot be stopped again, and a running one cannot be started again") {
            kafka.stopBroker(3)
            shouldThrow<IllegalStateException> { kafka.stopBroker(3) }.message shouldContain "already stopped"
            kafka.startBroker(3)
            shouldThrow<IllegalStateException> { kafka.startBroker(3) }.message shouldContain "already running"
        }
    })
