package io.github.kproducer.testkit

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.admin.NewTopic
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.errors.NetworkException
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.ProducerFencedException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TopicAuthorizationException
import org.apache.kafka.common.serialization.IntegerDeserializer
import org.apache.kafka.common.serialization.IntegerSerializer
import org.apache.kafka.common.serialization.StringDeserializer
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

/**
 * The Kotlin halves of testkit/README.md's side-by-side examples; the Java halves are the JUnit 5
 * tests they name. `ReadmeExamplesSpec` checks that the README shows these regions as they are.
 */
class ReadmeKotlinExamplesSpec :
    FunSpec({
        // region readme:embedded-broker-kt
        val kafka = install(EmbeddedKafkaExtension()) { defaultPartitions = 3 }

        test("orders reach the broker") {
            kafka.createTopic("orders", 3)
            KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use { producer ->
                producer.send(ProducerRecord("orders", "o-1", "created")).get()
                producer.send(ProducerRecord("orders", "o-1", "paid")).get()
            }
            kafka
                .readStrings("orders", 2)
                .shouldHaveSize(2)
                .shouldHaveSent { value = "paid" }
                .shouldKeepEachKeyInOnePartition()
        }
        // endregion

        test("a topic Admin created takes its first produce once its partitions serve") {
            // region readme:admin-waits-kt
            kafka.admin().use { admin ->
                admin.createTopics(listOf(NewTopic("payments", 3, 1))).all().get(30, TimeUnit.SECONDS)
                admin.awaitPartitionsServing(listOf("payments"))
            }
            // No retries: a partition that did not serve yet would fail the send.
            val settings = kafka.connectionProperties() + (ProducerConfig.RETRIES_CONFIG to 0)
            KafkaProducer(settings, StringSerializer(), StringSerializer()).use { producer ->
                for (partition in 0 until 3) producer.send(ProducerRecord("payments", partition, "p-1", "paid")).get().offset() shouldBe 0
            }
            // endregion
        }

        test("the four reads") {
            EmbeddedKafka().use { kafka -> fourReads(kafka) }
        }

        test("failure scripts fail the records they name") {
            // region readme:mock-failure-scripts-kt
            MockKafkaProducer<String, String> { topic("orders", partitions = 3) }.use { producer ->
                producer.failNextSends(1, TimeoutException("Expiring 1 record(s)"))
                producer.failWhen(NotEnoughReplicasException("poison")) { it.key() == "poison" }
                producer.failOnAttempt(4, NetworkException("cut"))

                var seen: Exception? = null
                val first = producer.send(ProducerRecord("orders", "o-1", "created")) { _, e -> seen = e }
                val second = producer.send(ProducerRecord("orders", "o-1", "paid"))
                val poison = producer.send(ProducerRecord("orders", "poison", "x"))
                val fourth = producer.send(ProducerRecord("orders", "o-2", "created"))
                producer.flush()

                seen.shouldBeInstanceOf<TimeoutException>() // the callback, then the future
                shouldThrow<ExecutionException> { first.get() }.cause.shouldBeInstanceOf<TimeoutException>()
                second.get().offset() shouldBe 0 // a failed record takes no offset
                shouldThrow<ExecutionException> { poison.get() }.cause.shouldBeInstanceOf<NotEnoughReplicasException>()
                shouldThrow<ExecutionException> { fourth.get() }.cause.shouldBeInstanceOf<NetworkException>()
                producer shouldHaveSent 4
                producer.failed().shouldHaveSize(3).shouldHaveSent { key = "poison" }
            }
            // endregion
        }

        test("manual completion leaves records pending until the test says") {
            // region readme:mock-manual-completion-kt
            MockKafkaProducer<String, String> { completion = Completion.MANUAL }.use { producer ->
                val first = producer.send(ProducerRecord("orders", "o-1", "created"))
                val second = producer.send(ProducerRecord("orders", "o-2", "created"))
                first.isDone shouldBe false
                producer.pending() shouldHaveSize 2

                producer.completeNext() shouldBe true // the oldest: acknowledged
                producer.failNext(NotEnoughReplicasException("not now")) shouldBe true
                first.get().offset() shouldBe 0
                producer.acknowledged().single() shouldHaveKey "o-1"
                shouldThrow<ExecutionException> { second.get() }.cause.shouldBeInstanceOf<NotEnoughReplicasException>()
            }
            // endregion
        }

        test("transactions on the mock commit, abort and fence") {
            // region readme:mock-transactions-kt
            MockKafkaProducer<String, String> { transactionalId = "payments-1" }.use { producer ->
                producer.initTransactions()
                producer.beginTransaction()
                producer.send(ProducerRecord("payments", "p-1", "charge"))
                producer.commitTransaction()
                producer.beginTransaction()
                producer.send(ProducerRecord("payments", "p-2", "charge"))
                producer.abortTransaction()

                producer.committed().map { it.key() } shouldBe listOf("p-1")
                producer.aborted().map { it.key() } shouldBe listOf("p-2")
                producer.shouldHaveSent(2).shouldHaveSent { key = "p-2" }

                // A zombie: another producer took the transactional id, so this one's next transaction is refused.
                producer.fence()
                shouldThrow<ProducerFencedException> { producer.beginTransaction() }
            }
            // endregion
        }

        test("three brokers keep serving while one is stopped") {
            // region readme:three-brokers-kt
            EmbeddedKafka { brokers = 3 }.use { kafka ->
                kafka.createTopic("replicated", 3, 3, mapOf("min.insync.replicas" to "2"))
                val props = kafka.connectionProperties() + (ProducerConfig.ACKS_CONFIG to "all")
                KafkaProducer(props, StringSerializer(), StringSerializer()).use { producer ->
                    producer.send(ProducerRecord("replicated", "k", "before")).get(30, TimeUnit.SECONDS)
                    val stopped = kafka.brokerIds.first()
                    kafka.stopBroker(stopped) // two of three replicas stay in sync: acks=all still succeeds
                    producer.send(ProducerRecord("replicated", "k", "during")).get(30, TimeUnit.SECONDS)
                    kafka.startBroker(stopped) // returns once the broker is back in every ISR
                    producer.send(ProducerRecord("replicated", "k", "after")).get(30, TimeUnit.SECONDS)
                }
                kafka
                    .readStrings("replicated", 3)
                    .shouldHaveSize(3)
                    .shouldPreserveOrderPerKey(listOf("before", "during", "after").map { ProducerRecord("replicated", "k", it) })
                    .shouldKeepEachKeyInOnePartition()
            }
            // endregion
        }

        test("a whole-cluster outage, and the same producer after it") {
            // region readme:outage-kt
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("payments")
                val props = kafka.connectionProperties() + (ProducerConfig.MAX_BLOCK_MS_CONFIG to 3_000)
                val stored = mutableListOf<ProducerRecord<String, String>>()
                KafkaProducer(props, StringSerializer(), StringSerializer()).use { producer ->
                    val before = ProducerRecord("payments", "p-1", "before")
                    producer.send(before).get(30, TimeUnit.SECONDS)
                    stored += before
                    kafka.stopAllBrokers() // nothing answers; data and addresses are kept
                    // Kafka 4's client may now rebootstrap and forget the topic: then send blocks for max.block.ms and fails.
                    val during = ProducerRecord("payments", "p-1", "during")
                    val sent = producer.send(during)
                    kafka.startAllBrokers() // returns once every partition is led and serving
                    try {
                        sent.get(60, TimeUnit.SECONDS) // or it waited in the producer, and is delivered now
                        stored += during
                    } catch (e: ExecutionException) {
                        e.cause.shouldBeInstanceOf<TimeoutException>().message shouldContain "not present in metadata"
                    }
                    val after = ProducerRecord("payments", "p-1", "after")
                    producer.send(after).get(30, TimeUnit.SECONDS) // the same producer sends again
                    stored += after
                }
                kafka.readAllStrings("payments").shouldHaveSize(stored.size).shouldPreserveOrderPerKey(stored)
            }
            // endregion
        }

        test("SASL users produce only where the ACLs allow") {
            // region readme:sasl-acls-kt
            EmbeddedKafka {
                saslUser("alice", "alice-secret")
                saslUser("mallory", "mallory-secret")
                acls = true // deny what no ACL allows
            }.use { kafka ->
                kafka.createTopic("payments") // as the test kit's super user
                kafka.allowProducing("alice", "payments")
                KafkaProducer(kafka.connectionProperties("alice"), StringSerializer(), StringSerializer()).use { alice ->
                    alice.send(ProducerRecord("payments", "p-1", "charge")).get(30, TimeUnit.SECONDS)
                }
                val props = kafka.connectionProperties("mallory", "SCRAM-SHA-512") + (ProducerConfig.MAX_BLOCK_MS_CONFIG to 10_000)
                KafkaProducer(props, StringSerializer(), StringSerializer()).use { mallory ->
                    shouldThrow<ExecutionException> { mallory.send(ProducerRecord("payments", "p-2", "steal")).get(30, TimeUnit.SECONDS) }
                        .cause
                        .shouldBeInstanceOf<TopicAuthorizationException>()
                }
                kafka
                    .readAllStrings("payments")
                    .shouldHaveSize(1)
                    .shouldHaveSent {
                        key = "p-1"
                        value = "charge"
                    }
            }
            // endregion
        }
    })

/** The README's four reads, on a cluster of their own. */
private fun fourReads(kafka: EmbeddedKafka) {
    kafka.createTopic("orders", 3)
    kafka.createTopic("counts", 2)
    kafka.createTopic("payments")
    KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use { producer ->
        producer.send(ProducerRecord("orders", "o-1", "created")).get()
        producer.send(ProducerRecord("orders", "o-1", "paid")).get()
    }
    KafkaProducer(kafka.connectionProperties(), StringSerializer(), IntegerSerializer()).use { counter ->
        repeat(10) { counter.send(ProducerRecord("counts", "c-$it", it)).get() }
    }
    val transactional = kafka.connectionProperties() + (ProducerConfig.TRANSACTIONAL_ID_CONFIG to "reads-example-kt")
    KafkaProducer(transactional, StringSerializer(), StringSerializer()).use { producer ->
        producer.initTransactions()
        producer.beginTransaction()
        producer.send(ProducerRecord("payments", "p-1", "charge"))
        producer.commitTransaction()
        producer.beginTransaction()
        producer.send(ProducerRecord("payments", "p-2", "charge"))
        producer.flush() // written to the log, then aborted
        producer.abortTransaction()
    }
    kafka.readStrings("payments", 2).shouldHaveSent { key = "p-2" }

    // region readme:reads-kt
    // At least 2 records, String keys and values, from the beginning; at most 30 s.
    val orders = kafka.readStrings("orders", 2)
    // Your own deserializers.
    val counts = kafka.read("counts", 10, StringDeserializer(), IntegerDeserializer())
    // Until a condition holds for what has been read.
    val untilPaid = kafka.read("orders", StringDeserializer(), StringDeserializer()) { read -> read.any { it.value() == "paid" } }
    // Everything up to the end offsets seen at the start; READ_COMMITTED leaves out aborted transactions.
    val committed = kafka.readAllStrings("payments", IsolationLevel.READ_COMMITTED)

    orders.shouldHaveSize(2).shouldPreserveOrderPerKey(listOf(ProducerRecord("orders", "o-1", "created"), ProducerRecord("orders", "o-1", "paid")))
    counts.shouldHaveSize(10).shouldHaveSent { value = 9 }
    untilPaid shouldHaveSent { value = "paid" }
    committed.shouldHaveSize(1).shouldHaveSent { key = "p-1" }
    // endregion
}
