package io.github.kproducer.dsl.migrating

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.asKProducer
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.readStrings
import io.github.kproducer.testkit.shouldHaveKey
import io.github.kproducer.testkit.shouldHaveSent
import io.github.kproducer.testkit.shouldHaveValue
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import org.apache.kafka.clients.producer.MockProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.serialization.StringSerializer

/** The code under test in README.md's "Migrating from": a service that publishes an order's state. */
class OrderEvents(
    private val producer: KProducer<String, String>,
) {
    suspend fun paid(orderId: String) {
        producer.send("orders", orderId, "paid")
    }
}

/**
 * The kproducer side of every example in README.md's "Migrating from", compiled and run, with the
 * Kafka `MockProducer` version beside it (spring-kafka-test and kotlin-kafka are not dependencies of the
 * build; their versions in the README are for reading).
 */
class MigratingSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("kproducer, against a real broker (instead of spring-kafka-test's @EmbeddedKafka and KafkaTemplate)") {
            kafka.createTopic("orders")
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { OrderEvents(it).paid("o-1") }
            kafka.readStrings("orders", 1).single() shouldHaveKey "o-1" shouldHaveValue "paid"
        }

        test("kproducer, with the test kit's mock (instead of Kafka's MockProducer)") {
            val producer = MockKafkaProducer<String, String>()
            OrderEvents(producer.asKProducer()).paid("o-1")
            producer shouldHaveSent {
                topic = "orders"
                key = "o-1"
                value = "paid"
            }
        }

        test("kproducer, a failure the mock scripts: the caller sees Kafka's own exception") {
            val producer = MockKafkaProducer<String, String>()
            producer.failNextSends(1, TimeoutException("Expiring 1 record(s) for orders-0"))
            shouldThrow<TimeoutException> { OrderEvents(producer.asKProducer()).paid("o-1") }
        }

        test("Kafka's MockProducer, the same test, for comparison") {
            val producer: Producer<String, String> = MockProducer(true, null, StringSerializer(), StringSerializer())
            OrderEvents(producer.asKProducer()).paid("o-1")
            val sent = (producer as MockProducer).history().single()
            sent.topic() shouldBe "orders"
            sent.key() shouldBe "o-1"
            sent.value() shouldBe "paid"
        }
    })
