package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.and
import io.kotest.matchers.or
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
import org.opentest4j.AssertionFailedError
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
                "should have key \"order-1\" but had \"order-456\"\n" +
                "expected:<\"order-1\"> but was:<\"order-456\">"
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
                "should have offset 18 but had 17\n" +
                "expected:<18> but was:<17>"
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

        fun diff(block: () -> Unit): Pair<Any?, Any?> {
            val error = shouldThrow<AssertionFailedError>(block)
            return error.expected.value to error.actual.value
        }

        test("a failure that compares two values carries them as expected and actual, for the IDE's diff") {
            diff { produced() shouldHaveKey "order-1" } shouldBe ("\"order-1\"" to "\"order-456\"")
            diff { produced().shouldHaveHeader("transactionId", "tx-1") } shouldBe ("\"tx-1\"" to "\"tx-9\"")
            diff { produced() shouldHaveExactHeaders mapOf("transactionId" to "tx-9") } shouldBe
                ("{transactionId=\"tx-9\"}" to "{transactionId=\"tx-9\", bin=[1, 2]}")
            diff { consumed() shouldHaveOffset 18 } shouldBe ("18" to "17")
            diff { RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1) shouldHavePartition 1 } shouldBe ("1" to "2")
            diff {
                consumed() shouldMatchRecord {
                    key = "order-456"
                    value = "refunded"
                    partition = 0
                    header("sourceType", "app")
                    header("missing", "x")
                }
            } shouldBe (
                "{key=\"order-456\", value=\"refunded\", partition=0, header sourceType=\"app\", header missing=\"x\"}" to
                    "{key=\"order-456\", value=\"paid\", partition=1, header sourceType=\"web\", header missing=<none>}"
            )
        }

        test("two long values that differ near the end: the message shows where, the IDE gets them whole") {
            val paid = """{"paymentId":"p-000123","customer":"c-42","currency":"EUR","method":"card","status":"captured","amount":1000}"""
            val other = paid.replace("1000}", "1001}")
            val record = ProducerRecord("payments", "p-000123", other)
            val error = shouldThrow<AssertionFailedError> { record shouldHaveValue paid }
            // As the messages write them: quoted. The first difference is the last digit of the amount.
            val (shownPaid, shownOther) = "\"$paid\"" to "\"$other\""
            val first = shownPaid.indexOf("1000}") + 3
            // Both cut at the same place, 30 characters before the first difference: they no longer read the same.
            error.message!! shouldContain
                "should have value ...${shownPaid.substring(first - 30)} (${shownPaid.length} chars) [first difference at char $first]"
            error.message!! shouldContain "but had ...${shownOther.substring(first - 30)} (${shownOther.length} chars)"
            error.expected.value shouldBe shownPaid
            error.actual.value shouldBe shownOther
            // The same in a template, for shouldMatchRecord and shouldHaveSent.
            val templated = shouldThrow<AssertionFailedError> { record shouldMatchRecord { value = paid } }
            templated.message!! shouldContain "value: expected ...${shownPaid.substring(first - 30)}"
            templated.expected.value shouldBe "{value=\"$paid\"}"
        }

        test("a negated failure says what it should not have, without values to diff") {
            val error = shouldThrow<AssertionError> { produced() shouldNot haveKey("order-456") }
            (error as? AssertionFailedError)?.expected?.value shouldBe null
            error.message shouldBe
                "Record orders-2 key=\"order-456\" value=\"paid\" headers={transactionId=[\"tx-9\"], bin=[[1, 2]]} timestamp=1700000000000 " +
                "should not have key \"order-456\""
        }

        test("each Matcher value is one value for every record type: a Matcher of Object, the same for all three") {
            fun returnType(
                name: String,
                vararg parameters: Class<*>,
            ): String =
                Class
                    .forName("io.github.kproducer.testkit.RecordMatchers")
                    .getMethod(name, *parameters)
                    .genericReturnType.typeName
            val matcher = "io.kotest.matchers.Matcher<java.lang.Object>"
            returnType("haveKey", Any::class.java) shouldBe matcher
            returnType("haveTopic", String::class.java) shouldBe matcher
            returnType("haveOffset", Long::class.javaPrimitiveType!!) shouldBe matcher
            // The same value checks each record type that has the field.
            val metadata = RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1)
            val topic = haveTopic("orders")
            produced() should topic
            consumed() should topic
            metadata should topic
            val offset = haveOffset(17)
            consumed() should offset
            metadata shouldNot offset
            val key = haveKey("order-456")
            produced() should key
            consumed() should key
        }

        test("the sugar is typed per record type: none for a field the type lacks, each returning its receiver's own type") {
            fun receivers(name: String): Set<String> =
                Class
                    .forName("io.github.kproducer.testkit.RecordMatchers")
                    .methods
                    .filter { it.name == name }
                    .map { it.parameterTypes[0].simpleName }
                    .toSet()
            receivers("shouldHaveKey") shouldBe setOf("ProducerRecord", "ConsumerRecord")
            receivers("shouldHaveTopic") shouldBe setOf("ProducerRecord", "ConsumerRecord", "RecordMetadata")
            receivers("shouldHaveOffset") shouldBe setOf("ConsumerRecord", "RecordMetadata")

            class TracedRecord(
                val traceId: String,
            ) : ProducerRecord<String, String>("orders", "order-456", "paid")
            TracedRecord("t-1").shouldHaveKey("order-456").shouldHaveTopic("orders").traceId shouldBe "t-1"
            consumed().shouldHaveKey("order-456").offset() shouldBe 17L
            RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1).shouldHaveTopic("orders").hasOffset() shouldBe true
        }

        test("a matcher given a value that is no record, or a record without the field, names both, whatever the polarity") {
            val metadata = RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1)

            fun misuse(block: () -> Unit): String = shouldThrow<IllegalArgumentException>(block).message!!
            val noKey = "Cannot check the key of a RecordMetadata, which has none: only a ProducerRecord and a ConsumerRecord have a key"
            misuse { metadata should haveKey("order-456") } shouldBe noKey
            misuse { metadata shouldNot haveKey("order-456") } shouldBe noKey
            misuse { metadata should (haveTopic("orders") and haveKey("order-456")) } shouldBe noKey
            misuse { metadata should haveValue("paid") } shouldBe
                "Cannot check the value of a RecordMetadata, which has none: only a ProducerRecord and a ConsumerRecord have a value"
            misuse { metadata should haveHeader("traceId") } shouldBe
                "Cannot check the headers of a RecordMetadata, which has none: only a ProducerRecord and a ConsumerRecord have headers"
            misuse { metadata should matchRecord { key = "order-456" } } shouldBe noKey
            misuse { produced() should haveOffset(17) } shouldBe
                "Cannot check the offset of a ProducerRecord, which has none: only a ConsumerRecord and a RecordMetadata have an offset"
            misuse { "orders" should haveTopic("orders") } shouldBe
                "Cannot check the topic of a java.lang.String: the record matchers check a ProducerRecord, a ConsumerRecord or a RecordMetadata"
            misuse { null shouldNot haveKey("order-456") } shouldBe
                "Cannot check the key of null: the record matchers check a ProducerRecord, a ConsumerRecord or a RecordMetadata"
        }

        test("Matcher values compose with and / or, and keep their messages") {
            produced() should (haveTopic("orders") and haveKey("order-456") and haveHeader("transactionId", "tx-9"))
            produced() should (haveKey("order-1") or haveKey("order-456"))
            produced() shouldNot (haveKey("order-1") or haveValue("refunded"))
            consumed() should (haveOffset(17) and haveHeader("sourceType"))
            RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1) should (haveTopic("orders") and haveOffset(41))
            failure { produced() should (haveTopic("orders") and haveValue("refunded")) } shouldContain
                "should have value \"refunded\" but had \"paid\""
        }

        test("one Matcher value serves the three record types, composed and kept without type arguments") {
            val record = produced()
            val consumed = consumed()
            val metadata = RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1)
            // region readme:generic-matchers
            record should (haveTopic("orders") and haveHeader("transactionId"))
            consumed should (haveTopic("orders") and haveOffset(17))
            metadata should (haveTopic("orders") and haveOffset(41))

            val paidOrder = haveTopic("orders") and haveValue("paid") // a Matcher<Any?>
            record should paidOrder
            consumed should paidOrder

            shouldThrow<IllegalArgumentException> { metadata should haveKey("order-456") } // a RecordMetadata has no key
            // endregion
        }

        test("matchers are values too, usable with should and shouldNot") {
            produced() should haveKey("order-456")
            consumed() shouldNot haveValue("pending")
            consumed() should matchRecord { offset = 17L }
        }

        test("metadata: topic, partition, offset") {
            val metadata = RecordMetadata(TopicPartition("orders", 2), 41, 0, 0, 1, 1)
            metadata
                .shouldHaveTopic("orders")
                .shouldHavePartition(2)
                .shouldHaveOffset(41)
                .shouldNotHaveOffset(40)
            failure { metadata shouldHaveOffset 40 } shouldBe "Record orders-2@41 timestamp=0 should have offset 40 but had 41\nexpected:<40> but was:<41>"
        }
    })
