package io.github.kproducer.testkit.faults

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.TopicDescription
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit.SECONDS
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * Faults between brokers against the real brokers and Kafka's own producer: replication from one
 * leader to one follower cut or slowed (the ISR shrinks, `min.insync.replicas` refuses `acks=all`
 * sends), a broker cut off from the controller (fenced, its leaderships moved), and healing.
 */
class InterBrokerFaultsSpec :
    FunSpec({
        val kafka =
            install(EmbeddedKafkaExtension()) {
                brokers = 3
                faultProxy = true
                // Kafka's defaults (30 s, 9 s) would make each test wait that long for the ISR to shrink
                // or the broker to be fenced.
                brokerProperty("replica.lag.time.max.ms", 3000)
                brokerProperty("broker.session.timeout.ms", 3000)
                brokerProperty("broker.heartbeat.interval.ms", 500)
            }

        fun producer(vararg extra: Pair<String, Any>): KafkaProducer<String, String> =
            KafkaProducer(
                kafka.connectionProperties() +
                    mapOf(
                        ProducerConfig.ACKS_CONFIG to "all",
                        ProducerConfig.RETRIES_CONFIG to 0,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to false,
                        ProducerConfig.LINGER_MS_CONFIG to 0,
                    ) + extra,
                StringSerializer(),
                StringSerializer(),
            )

        fun describe(
            admin: Admin,
            topic: String,
        ): TopicDescription =
            admin
                .describeTopics(listOf(topic))
                .allTopicNames()
                .get(30, SECONDS)
                .getValue(topic)

        /** Waits, at most [timeout], until [check] holds for the topic's partition 0; fails naming [what] and the last state seen. */
        fun awaitPartition(
            admin: Admin,
            topic: String,
            what: String,
            timeout: Duration = 30.seconds,
            check: (leader: Int, isr: Set<Int>) -> Boolean,
        ) {
            val start = TimeSource.Monotonic.markNow()
            var last = "nothing"
            while (true) {
                val partition = describe(admin, topic).partitions().single()
                val leader = partition.leader()?.id() ?: -1
                val isr = partition.isr().map { it.id() }.toSet()
                last = "leader $leader, ISR $isr"
                if (check(leader, isr)) return
                if (start.elapsedNow() > timeout) throw AssertionError("$topic-0: $what did not happen within $timeout; last seen: $last")
                Thread.sleep(100)
            }
        }

        fun aliveBrokers(admin: Admin): List<Int> =
            admin
                .describeCluster()
                .nodes()
                .get(30, SECONDS)
                .map { it.id() }

        /** Runs [block] with an admin client, closed with a bound: a call that timed out may still be pending. */
        fun withAdmin(block: (Admin) -> Unit) {
            val admin = Admin.create(kafka.connectionProperties())
            try {
                block(admin)
            } finally {
                admin.close(java.time.Duration.ofSeconds(5))
            }
        }

        test("cut replication: the ISR shrinks to the leader, acks=all fails with NotEnoughReplicas, healing restores both") {
            val topic = "ib-cut"
            kafka.createTopic(topic, partitions = 1, replicationFactor = 2, configs = mapOf("min.insync.replicas" to "2"))
            withAdmin { admin ->
                val partition = describe(admin, topic).partitions().single()
                val leader = partition.leader().id()
                val follower = partition.replicas().map { it.id() }.single { it != leader }
                awaitPartition(admin, topic, "a full ISR") { _, isr -> isr == setOf(leader, follower) }
                producer().use { p ->
                    producer(ProducerConfig.ACKS_CONFIG to "1").use { p1 ->
                        p.send(ProducerRecord(topic, "k", "before")).get(30, SECONDS)
                        kafka.faults { cutReplication(leader = leader, follower = follower) }.use {
                            // A follower lags only behind records it lacks: an acks=1 send gives it one it cannot fetch.
                            p1.send(ProducerRecord(topic, "k", "unreplicated")).get(30, SECONDS)
                            awaitPartition(admin, topic, "the ISR shrinking to [$leader]") { l, isr -> l == leader && isr == setOf(leader) }
                            val error = shouldThrow<ExecutionException> { p.send(ProducerRecord(topic, "k", "during")).get(30, SECONDS) }
                            error.cause.shouldBeInstanceOf<NotEnoughReplicasException>()
                        }
                        awaitPartition(admin, topic, "follower $follower rejoining the ISR") { _, isr -> isr == setOf(leader, follower) }
                        p.send(ProducerRecord(topic, "k", "after")).get(30, SECONDS).offset() shouldBe 2L
                    }
                }
            }
        }

        test("slowed replication: an acks=all send waits at least the latency for the follower") {
            val topic = "ib-slow"
            kafka.createTopic(topic, partitions = 1, replicationFactor = 2, configs = mapOf("min.insync.replicas" to "2"))
            withAdmin { admin ->
                val partition = describe(admin, topic).partitions().single()
                val leader = partition.leader().id()
                val follower = partition.replicas().map { it.id() }.single { it != leader }
                awaitPartition(admin, topic, "a full ISR") { _, isr -> isr == setOf(leader, follower) }
                producer().use { p ->
                    p.send(ProducerRecord(topic, "k", "warm")).get(30, SECONDS)
                    val latency = 300.milliseconds
                    kafka.faults { slowReplication(leader = leader, follower = follower, latency = latency) }.use {
                        val start = TimeSource.Monotonic.markNow()
                        p.send(ProducerRecord(topic, "k", "slow")).get(30, SECONDS)
                        start.elapsedNow() shouldBeGreaterThanOrEqualTo latency
                    }
                    awaitPartition(admin, topic, "a full ISR after healing") { _, isr -> isr == setOf(leader, follower) }
                    p.send(ProducerRecord(topic, "k", "after")).get(30, SECONDS)
                }
            }
        }

        test("a broker cut off from the controller is fenced and loses its leaderships; healing unfences it") {
            val topic = "ib-fenced"
            kafka.createTopic(topic, partitions = 1, replicationFactor = 3)
            withAdmin { admin ->
                awaitPartition(admin, topic, "a full ISR") { _, isr -> isr.size == 3 }
                val isolated =
                    describe(admin, topic)
                        .partitions()
                        .single()
                        .leader()
                        .id()
                kafka.faults { isolateFromController(broker = isolated) }.use {
                    awaitPartition(admin, topic, "the leadership moving away from broker $isolated and it leaving the ISR") { leader, isr ->
                        leader != isolated && leader != -1 && isolated !in isr
                    }
                    // Fenced: the cluster metadata no longer lists it among the live brokers.
                    aliveBrokers(admin) shouldNotContain isolated
                }
                awaitPartition(admin, topic, "broker $isolated rejoining the ISR") { _, isr -> isr.size == 3 }
                val start = TimeSource.Monotonic.markNow()
                while (isolated !in aliveBrokers(admin)) {
                    if (start.elapsedNow() > 30.seconds) throw AssertionError("broker $isolated is not alive in the cluster metadata 30 s after healing")
                    Thread.sleep(100)
                }
                producer().use { p -> p.send(ProducerRecord(topic, "k", "after")).get(30, SECONDS) }
            }
        }

        test("faults between brokers name a broker that exists, and two different brokers") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    kafka.faults {
                        cutReplication(leader = 1, follower = 1)
                        slowReplication(leader = 1, follower = 7)
                        isolateFromController(broker = 9)
                    }
                }
            error.message!! shouldContain "leader and follower must be two different brokers"
            error.message!! shouldContain "give a latency or bytesPerSecond"
            error.message!! shouldContain "slowReplication(leader = 1, follower = 7): there is no broker 7"
            error.message!! shouldContain "isolateFromController(broker = 9): there is no broker 9"
        }
    })
