package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.should
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNot
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.header.internals.RecordHeader
import org.apache.kafka.common.header.internals.RecordHeaders
import org.apache.kafka.common.record.TimestampType
import java.util.Optional

class RecordMatchersSpec :
    FunSpec({
        fun produced() =
            ProducerRecord(
                "orders",
                2,
                1_700_000_000_000L,
                "order-456",
                "paid",
                RecordHeaders(listOf(RecordHeader("transactionId", "tx-9".toByteArray()), RecordHeader("bin", byteArrayOf(1, 2)))),
            )

        fun consumed() =
            ConsumerRecord(
                "orders",
                1,
                17L,
                1_700_000_000_000L,
                TimestampType.CREATE_TIME,
                9,
                4,
                "order-456",
                "paid",
                RecordHeaders(listOf(RecordHeader("sourceType", "web".toByteArray()))),
                Optional.empty(),
            )

        fun failure(block: () -> Unit): String = shouldThrow<AssertionError>(block).message!!

        test("topic, key, value, partition and timestamp of a ProducerRecord, with messages for both polarities") {
            produced()
                .shouldHaveTopic("orders")
                .shouldHaveKey("order-456")
                .shouldHaveValue("paid")
                .shouldHavePartition(2)
                .shouldHaveTimestamp(1_700_000_000_000L)
            produced() shouldNotHaveKey "order-1"

            failure { produced() shouldHaveKey "order-1" } shouldBe
                "Record orders-2 key=\"order-456\" value=\"paid\" headers={transactionId=[\"tx-9\"], bin=[[1, 2]]} timestamp=1700000000000 " +
                "should have key \"order-1\" but had \"order-456\""
            failure { produced() shouldNotHaveValue "paid" } shouldContain "should not have value \"paid\""
            failure { produced() shouldHaveTopic "payments" } shouldContain "should have topic \"payments\" but had \"orders\""
            failure { produced() shouldHavePartition 0 } shouldContain "should have partition 0 but had 2"
            failure { produced() shouldHaveTimestamp 1L } shouldContain "should have timestamp 1 but had 1700000000000"
        }

        test("headers: present, equal as String or bytes, exact") {
            produced().shouldHaveHeader("transactionId").shouldHaveHeader("transactionId", "tx-9").shouldHaveHeader("bin", byteArrayOf(1, 2))
            produced() shouldNotHaveHeader "missing"
            produced() shouldHaveExactHeaders mapOf("transactionId" to "tx-9", "bin" to byteArrayOf(1, 2))

            failure { produced() shouldHaveHeader "missing" } shouldContain "should have a header 'missing' but its headers are [transactionId, bin]"
            failure { produced().shouldHaveHeader("transactionId", "tx-1") } shouldContain
                "should have a header 'transactionId' = \"tx-1\" but it was \"tx-9\""
            failure { produced().shouldHaveHeader("nope", "x") } shouldContain "should have a header 'nope' = \"x\" but has no such header"
            failure { produced() shouldHaveExactHeaders mapOf("transactionId" to "tx-9") } shouldContain
                "should have exactly the headers {transactionId=\"tx-9\"}"
        }

        test("a ConsumerRecord read back has the same matchers, plus its offset") {
            consumed()
                .shouldHaveTopic("orders")
                .shouldHavePartition(1)
                .shouldHaveOffset(17)
                .shouldHaveKey("order-456")
                .shouldHaveHeader("sourceType", "web")
            failure { consumed() shouldHaveOffset 18 } shouldBe
                "Record orders-1@17 key=\"order-456\" value=\"paid\" headers={sourceType=[\"web\"]} timestamp=1700000000000 " +
                "should have offset 18 but had 17"
        }

        test("a template compares only the fields it names and lists each difference") {
            produced() shouldMatchRecord {
                topic = "orders"
                key = "order-456"
                header("transactionId", "tx-9")
            }
            val message =
                failure {
                    consumed() shouldMatchRecord {
                        key = "order-456"
                        value = "refunded"
                        partition = 0
                        header("sourceType", "app")
                    }
                }
            message shouldContain "should match {key=\"order-456\", value=\"refunded\", partition=0, header sourceType=\"app\"} but:"
            message shouldContain "value: expected \"refunded\" but was \"paid\""
            message shouldContain "partition: expected 0 but was 1"
            message shouldContain "header sourceType: expected \"app\" but was \"web\""
        }

        test("matchers are values too, usable with should and shouldNot") {
            produced() should haveRecordKey("order-456")
            consumed() shouldNot haveRecordValue("pending")
            consumed() should matchRecord { offset = 17L }
        }

        test("metadata: topic, partition, offset") {
            val metadata = RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1)
            metadata
                .shouldHaveTopic("orders")
                .shouldHavePartition(2)
                .shouldHaveOffset(41)
                .shouldNotHaveOffset(40)
            failure { metadata shouldHaveOffset 40 } shouldBe "Record orders-2@41 timestamp=0 should have offset 40 but had 41"
        }

        test("a matcher used on something that is not a record says what it accepts") {
            val error = shouldThrow<IllegalArgumentException> { "text" should haveRecordKey("k") }
            error.message shouldBe "The record matchers work on ProducerRecord, ConsumerRecord and RecordMetadata, not java.lang.String"
        }
    })
