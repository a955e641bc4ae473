package io.github.kproducer.testkit

import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import kotlin.time.Duration.Companion.seconds

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
                    eventually(60.seconds) {
                        admin.replicas("payments").forEach { it.isr().map { node -> node.id() } shouldContainExactlyInAnyOrder listOf(1, 2, 3) }
                    }
                    repeat(100) { producer.send(ProducerRecord("payments", "card-${it % 10}", "after-$it")).get() }
                }
            }

            val records = kafka.readStrings("payments", 300)
            records shouldHaveSize 300
            records.map { it.value() }.toSet() shouldHaveSize 300
        }

        test("a stopped broker cannot be stopped again, and a running one cannot be started again") {
            kafka.stopBroker(3)
            shouldThrow<IllegalStateException> { kafka.stopBroker(3) }.message shouldContain "already stopped"
            kafka.startBroker(3)
            shouldThrow<IllegalStateException> { kafka.startBroker(3) }.message shouldContain "already running"
        }
    })
