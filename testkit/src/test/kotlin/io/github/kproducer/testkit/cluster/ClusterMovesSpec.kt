package io.github.kproducer.testkit.cluster

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.github.kproducer.testkit.support.metric
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.serialization.StringDeserializer
import org.apache.kafka.common.serialization.StringSerializer
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * Leaders, coordinators and quotas moved and set through the controller of a real three-broker cluster,
 * and what Kafka's own clients make of it: they meet the old leader's refusal, refresh, and go on.
 */
class ClusterMovesSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { brokers = 3 }

        fun producer(vararg extra: Pair<String, Any>): KafkaProducer<String, String> =
            KafkaProducer(kafka.connectionProperties() + mapOf(ProducerConfig.RETRY_BACKOFF_MS_CONFIG to 10) + extra, StringSerializer(), StringSerializer())

        test("moveLeader moves a single-replica partition to another broker: the producer meets the old leader's refusal, retries, and nothing is lost") {
            kafka.createTopic("moves-one")
            val before = kafka.leaderOf("moves-one", 0)
            val to = kafka.brokerIds.first { it != before }
            producer().use { p ->
                p.send(ProducerRecord("moves-one", "k", "before")).get(30, TimeUnit.SECONDS)
                kafka.moveLeader("moves-one", 0, to)
                kafka.leaderOf("moves-one", 0) shouldBe to
                p.send(ProducerRecord("moves-one", "k", "after")).get(30, TimeUnit.SECONDS).offset() shouldBe 1L
                // Its metadata still named the old leader: the first try was refused there.
                p.metric("record-retry-total") shouldBeGreaterThanOrEqual 1.0
            }
            kafka.readAllStrings("moves-one").map { it.value() } shouldBe listOf("before", "after")
        }

        test("shuffleLeaders gives every partition a new leader among its replicas, and sends go on") {
            kafka.createTopic("moves-shuffle", partitions = 3, replicationFactor = 3)
            val before = (0 until 3).associateWith { kafka.leaderOf("moves-shuffle", it) }
            producer().use { p ->
                (0 until 3).forEach { p.send(ProducerRecord("moves-shuffle", it, "k", "before-$it")).get(30, TimeUnit.SECONDS) }
                val after = kafka.shuffleLeaders("moves-shuffle")
                after.keys shouldBe setOf(0, 1, 2)
                after.forEach { (partition, leader) ->
                    leader shouldNotBe before.getValue(partition)
                    kafka.leaderOf("moves-shuffle", partition) shouldBe leader
                }
                (0 until 3).forEach { p.send(ProducerRecord("moves-shuffle", it, "k", "after-$it")).get(30, TimeUnit.SECONDS) }
            }
            kafka.readAllStrings("moves-shuffle").map { it.value()!! }.sorted() shouldBe
                listOf("after-0", "after-1", "after-2", "before-0", "before-1", "before-2")
        }

        test("shuffleLeaders on a single-replica topic says why it cannot, and what to do") {
            kafka.createTopic("moves-single", partitions = 2)
            shouldThrow<IllegalStateException> { kafka.shuffleLeaders("moves-single") }.message shouldContain
                "has one replica, so its leadership cannot move; create the topic with replicationFactor 2 or more, or move it with moveLeader"
            shouldThrow<IllegalArgumentException> { kafka.moveLeader("moves-single", 0, 9) }.message shouldContain "there is no broker 9"
        }

        test("a coordinator asked for before any group used the cluster is explained") {
            kafka.admin().use { it.listTopics().names().get(30, TimeUnit.SECONDS) } shouldNotContain "__consumer_offsets"
            shouldThrow<IllegalStateException> { kafka.groupCoordinatorOf("nobody") }.message shouldContain
                "__consumer_offsets does not exist yet: Kafka creates it when the first consumer group (a commit) uses the cluster"
        }

        test("the transaction coordinator moves mid-transaction: the producer finds the new one and the transaction commits") {
            kafka.createTopic("moves-tx")
            val id = "moves-tx-1"
            producer(ProducerConfig.TRANSACTIONAL_ID_CONFIG to id).use { p ->
                p.initTransactions()
                p.beginTransaction()
                p.send(ProducerRecord("moves-tx", "k", "one")).get(30, TimeUnit.SECONDS)
                val before = kafka.transactionCoordinatorOf(id)
                val to = kafka.brokerIds.first { it != before }
                kafka.moveTransactionCoordinator(id, to)
                kafka.transactionCoordinatorOf(id) shouldBe to
                p.send(ProducerRecord("moves-tx", "k", "two")).get(30, TimeUnit.SECONDS)
                p.commitTransaction()
                // The broker agrees on which one coordinates it.
                kafka.admin().use {
                    it
                        .describeTransactions(listOf(id))
                        .description(id)
                        .get(30, TimeUnit.SECONDS)
                        .coordinatorId() shouldBe to
                }
            }
            kafka.readAllStrings("moves-tx", Duration.ofSeconds(10), IsolationLevel.READ_COMMITTED).map { it.value() } shouldBe listOf("one", "two")
        }

        test("the group coordinator moves: the consumer's next commit finds the new one") {
            kafka.createTopic("moves-group")
            producer().use { p -> p.send(ProducerRecord("moves-group", "k", "v")).get(30, TimeUnit.SECONDS) }
            val group = "moves-group-1"
            val settings =
                kafka.connectionProperties() +
                    mapOf(
                        ConsumerConfig.GROUP_ID_CONFIG to group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG to "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG to false,
                    )
            KafkaConsumer(settings, StringDeserializer(), StringDeserializer()).use { consumer ->
                consumer.subscribe(listOf("moves-group"))
                var read = 0
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
                while (read == 0 && System.nanoTime() < deadline) read += consumer.poll(Duration.ofMillis(200)).count()
                read shouldBe 1
                consumer.commitSync(mapOf(TopicPartition("moves-group", 0) to OffsetAndMetadata(1)), Duration.ofSeconds(30))
                val before = kafka.groupCoordinatorOf(group)
                val to = kafka.brokerIds.first { it != before }
                kafka.moveGroupCoordinator(group, to)
                kafka.groupCoordinatorOf(group) shouldBe to
                kafka.admin().use {
                    it
                        .describeConsumerGroups(listOf(group))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .getValue(group)
                        .coordinator()
                        .id() shouldBe to
                }
                consumer.commitSync(mapOf(TopicPartition("moves-group", 0) to OffsetAndMetadata(1)), Duration.ofSeconds(30))
                consumer
                    .committed(setOf(TopicPartition("moves-group", 0)), Duration.ofSeconds(30))
                    .values
                    .single()!!
                    .offset() shouldBe 1L
            }
        }

        test("a producer over its quota gets answers with a throttle time; after the quota closes it gets none") {
            kafka.createTopic("moves-quota")
            val value = "x".repeat(16 * 1024)
            kafka.quota(clientId = "throttled", producerByteRate = 1024).use { quota ->
                quota.producerByteRate shouldBe 1024L
                producer(ProducerConfig.CLIENT_ID_CONFIG to "throttled").use { p ->
                    p.send(ProducerRecord("moves-quota", "k", value)).get(30, TimeUnit.SECONDS)
                    p.metric("produce-throttle-time-max") shouldBeGreaterThan 0.0
                }
            }
            producer(ProducerConfig.CLIENT_ID_CONFIG to "throttled").use { p ->
                p.send(ProducerRecord("moves-quota", "k", value)).get(30, TimeUnit.SECONDS)
                p.metric("produce-throttle-time-max") shouldBe 0.0
            }
            shouldThrow<IllegalArgumentException> { kafka.quota("throttled", 0) }.message shouldContain "producerByteRate must be positive, was 0"
        }
    })
