package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.and
import io.kotest.matchers.should
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNot
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.serialization.StringSerializer
import org.opentest4j.AssertionFailedError

class RecordsMatchersSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        fun failure(block: () -> Unit): String = shouldThrow<AssertionError>(block).message!!

        fun mockWith(vararg records: ProducerRecord<String, String>): MockKafkaProducer<String, String> =
            MockKafkaProducer<String, String> { topic("orders", partitions = 3) }.also { mock -> records.forEach { mock.send(it) } }

        test("a mock's history: count, template, predicate, topic") {
            val mock =
                mockWith(
                    ProducerRecord("orders", "order-1", "paid"),
                    ProducerRecord("orders", "order-2", "pending"),
                    ProducerRecord("orders", "order-3", "shipped"),
                )
            mock.shouldHaveSent(3).shouldHaveSent { key = "order-2" }.shouldNotHaveSent { value = "refunded" }
            mock shouldHaveSentMatching { it.value() == "shipped" }
            mock shouldAllBeOnTopic "orders"

            failure { mock shouldHaveSent 2 } shouldContain "Expected 2 records but there were 3:"
            failure { mock shouldAllBeOnTopic "payments" } shouldContain "Expected every record on topic 'payments', but 3 were not:"
            failure { mock shouldHaveSentMatching { it.value() == "lost" } } shouldContain
                "Expected a record satisfying the predicate among 3 records, but none did:"
            failure { mock shouldNotHaveSent { key = "order-1" } } shouldContain "Expected no record matching {key=\"order-1\"}, but 1 matched:"

            mock.history() should (haveSent(3) and haveSent { value = "pending" } and allBeOnTopic("orders"))
            mock.history() should haveSentMatching { it.key() == "order-3" }
            mock.history() shouldNot haveSent { value = "refunded" }
        }

        test("a failure that compares two values carries them as expected and actual, for the IDE's diff") {
            val mock =
                mockWith(
                    ProducerRecord("orders", "order-1", "paid"),
                    ProducerRecord("orders", "order-2", "pending"),
                    ProducerRecord("audit", "order-9", "x"),
                )

            fun diff(block: () -> Unit): Pair<Any?, Any?> = shouldThrow<AssertionFailedError>(block).let { it.expected.value to it.actual.value }
            diff { mock shouldHaveSent 2 } shouldBe ("2" to "3")
            diff { mock shouldAllBeOnTopic "orders" } shouldBe ("[orders]" to "[orders, audit]")
            diff {
                mock shouldHaveSent {
                    topic = "orders"
                    key = "order-2"
                    value = "paid"
                }
            } shouldBe ("{topic=\"orders\", key=\"order-2\", value=\"paid\"}" to "{topic=\"orders\", key=\"order-1\", value=\"paid\"}")
            val inOrder = listOf(ProducerRecord("orders", 0, "k1", "1"), ProducerRecord("orders", 0, "k1", "2"), ProducerRecord("orders", 0, "k2", "a"))
            diff { inOrder.reversed() shouldPreserveOrderPerKey inOrder } shouldBe ("{\"k1\"=[\"1\", \"2\"]}" to "{\"k1\"=[\"2\", \"1\"]}")
        }

        test("a template that nothing matches shows the closest records with a field-by-field difference") {
            val mock =
                mockWith(
                    ProducerRecord("orders", "order-1", "paid"),
                    ProducerRecord("orders", "order-2", "pending"),
                    ProducerRecord("audit", "order-9", "x"),
                )
            val message =
                failure {
                    mock shouldHaveSent {
                        topic = "orders"
                        key = "order-2"
                        value = "paid"
                    }
                }
            message shouldContain "Expected a record matching {topic=\"orders\", key=\"order-2\", value=\"paid\"} among 3 records, but none matched. Closest:"
            val closest = message.lines().drop(1)
            closest[0] shouldContain "key=\"order-1\" value=\"paid\""
            closest[1].trim() shouldBe "key: expected \"order-2\" but was \"order-1\""
            closest[2] shouldContain "key=\"order-2\" value=\"pending\""
            closest[3].trim() shouldBe "value: expected \"paid\" but was \"pending\""
        }

        test("keys split across partitions, values out of order and duplicates are each reported") {
            val sent = listOf(ProducerRecord("orders", 0, "k1", "1"), ProducerRecord("orders", 1, "k1", "2"), ProducerRecord("orders", 0, "k2", "a"))
            failure { sent.shouldKeepEachKeyInOnePartition() } shouldContain "key \"k1\" on orders is in partitions [0, 1]"

            val inOrder = listOf(ProducerRecord("orders", 0, "k1", "1"), ProducerRecord("orders", 0, "k1", "2"), ProducerRecord("orders", 2, "k2", "a"))
            inOrder shouldPreserveOrderPerKey inOrder
            failure { inOrder.reversed() shouldPreserveOrderPerKey inOrder } shouldContain "key \"k1\": sent [\"1\", \"2\"] but found [\"2\", \"1\"]"

            val duplicated = sent + ProducerRecord("orders", 0, "k2", "a")
            failure { duplicated.shouldHaveNoDuplicates() } shouldContain "2 times: orders-0 key=\"k2\" value=\"a\""
            sent.shouldHaveNoDuplicates()
            sent should haveSent(3)
            sent shouldNot haveSent(4)
        }

        test("the list sugar returns the receiver's own type, for ProducerRecords and ConsumerRecords alike") {
            val sent = arrayListOf(ProducerRecord("orders", 0, "k1", "1"), ProducerRecord("orders", 0, "k1", "2"))
            sent
                .shouldHaveSent(2)
                .shouldAllBeOnTopic("orders")
                .shouldHaveNoDuplicates()
                .ensureCapacity(3)
            val read = listOf(ConsumerRecord("orders", 0, 7L, "k1", "1"))
            read.shouldHaveSent(1).shouldHaveSent { key = "k1" }[0].offset() shouldBe 7L
        }

        test("a many-record matcher given elements that are no records, or lack a field it reads, names the type and the field") {
            fun misuse(block: () -> Unit): String = shouldThrow<IllegalArgumentException>(block).message!!
            val metadata = listOf(RecordMetadata(TopicPartition("orders", 0), 0, 0, 0L, 0, 0), RecordMetadata(TopicPartition("orders", 0), 1, 0, 0L, 0, 0))
            metadata should (haveSent(2) and allBeOnTopic("orders"))
            misuse { metadata should keepEachKeyInOnePartition() } shouldBe
                "Cannot check the key of a RecordMetadata, which has none: only a ProducerRecord and a ConsumerRecord have a key"
            misuse { metadata shouldNot haveNoDuplicates() } shouldBe
                "Cannot check the key of a RecordMetadata, which has none: only a ProducerRecord and a ConsumerRecord have a key"
            misuse { mockWith(ProducerRecord("orders", "order-1", "paid")) shouldHaveSent { offset = 0L } } shouldBe
                "Cannot check the offset of a ProducerRecord, which has none: only a ConsumerRecord and a RecordMetadata have an offset"
            misuse { listOf("orders") should haveSent(1) } shouldBe
                "Cannot check a java.lang.String: the record matchers check a ProducerRecord, a ConsumerRecord or a RecordMetadata"
            misuse { listOf("orders") should haveSentMatching<String> { it == "orders" } } shouldBe
                "Cannot check a java.lang.String: the record matchers check a ProducerRecord, a ConsumerRecord or a RecordMetadata"
        }

        test("records read back from a broker: one partition per key, per-key order as sent, no duplicates, one topic") {
            kafka.createTopic("readback", partitions = 3)
            val sent = (0 until 60).map { ProducerRecord("readback", "key-${it % 7}", "value-$it") }
            val props = kafka.connectionProperties() + (ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to true)
            KafkaProducer(props, StringSerializer(), StringSerializer()).use { producer -> sent.forEach { producer.send(it) } }

            val received = kafka.readStrings("readback", 60)
            received
                .shouldHaveSent(60)
                .shouldAllBeOnTopic("readback")
                .shouldKeepEachKeyInOnePartition()
                .shouldPreserveOrderPerKey(sent)
                .shouldHaveNoDuplicates()
            received shouldHaveSent {
                key = "key-3"
                value = "value-3"
            }
            failure { received shouldPreserveOrderPerKey sent.reversed() } shouldContain "keys differ"

            received should (haveSent(60) and allBeOnTopic("readback") and keepEachKeyInOnePartition())
            received should (preserveOrderPerKey(sent) and haveNoDuplicates())
            received should haveSent { key = "key-6" }
            received should haveSentMatching { it.value() == "value-59" }
            failure { received should haveSent(61) } shouldContain "Expected 61 records but there were 60:"
        }
    })
