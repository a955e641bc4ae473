package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.haveHeader
import io.github.kproducer.testkit.haveKey
import io.github.kproducer.testkit.haveNoDuplicates
import io.github.kproducer.testkit.haveOffset
import io.github.kproducer.testkit.haveSent
import io.github.kproducer.testkit.haveTimestamp
import io.github.kproducer.testkit.haveValue
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.Matcher
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.header.internals.RecordHeaders
import org.apache.kafka.common.record.TimestampType
import org.opentest4j.AssertionFailedError
import java.util.Optional

/**
 * The AssertJ assertions say exactly what the Kotest matchers say (one place makes the messages), pass
 * where they pass, chain, and report expected and actual values where the matcher knows them.
 */
class KafkaAssertionsSpec :
    FunSpec({
        fun consumed(
            key: String,
            value: String,
            offset: Long,
            partition: Int = 0,
        ) = ConsumerRecord("orders", partition, offset, 0L, TimestampType.CREATE_TIME, 0, 0, key, value, RecordHeaders(), Optional.empty())

        val records = listOf(consumed("o-1", "created", 0), consumed("o-2", "created", 1), consumed("o-1", "paid", 2))

        fun <T> failureOf(
            matcher: Matcher<T>,
            actual: T,
        ): String = matcher.test(actual).failureMessage()

        fun failureOf(check: () -> Unit): AssertionError = shouldThrow<AssertionError> { check() }

        test("each failure message is the matching Kotest matcher's own") {
            failureOf { assertThat(records).hasSize(2) }.message shouldBe failureOf(haveSent(2), records)
            failureOf { assertThat(records).containsRecord { it.key = "o-9" } }.message shouldBe
                failureOf(haveSent { key = "o-9" }, records)
            val doubled = records + records.first()
            failureOf { assertThat(doubled).hasNoDuplicates() }.message shouldBe failureOf(haveNoDuplicates(), doubled)
            failureOf { assertThat(records[2]).hasValue("refund") }.message shouldBe failureOf(haveValue("refund"), records[2])
            failureOf { assertThat(records[2]).hasHeader("source") }.message shouldBe failureOf(haveHeader("source"), records[2])

            val record = ProducerRecord("orders", "o-1", "paid")
            failureOf { assertThat(record).hasKey("o-2") }.message shouldBe failureOf(haveKey("o-2"), record)
            val metadata = RecordMetadata(TopicPartition("orders", 0), 41, 0, 0L, 0, 0)
            failureOf { assertThat(metadata).hasOffset(40) }.message shouldBe failureOf(haveOffset(40), metadata)
            failureOf { assertThat(metadata).hasTimestamp(1L) }.message shouldBe failureOf(haveTimestamp(1L), metadata)

            MockKafkaProducer<String, String>().use { producer ->
                producer.send(ProducerRecord("orders", "o-1", "paid"))
                producer.flush()
                failureOf { assertThat(producer).hasSent(2) }.message shouldBe failureOf(haveSent(2), producer.history())
                failureOf { assertThat(producer).hasNotSent { it.key = "o-1" } }.message shouldBe
                    haveSent { key = "o-1" }.test(producer.history()).negatedFailureMessage()
            }
        }

        test("passing checks chain and return the same assertion") {
            val assertion = assertThat(records)
            assertion
                .hasSize(3)
                .containsRecord { it.value = "paid" }
                .allOnTopic("orders")
                .keepsEachKeyInOnePartition()
                .preservesOrderPerKey(records.map { ProducerRecord(it.topic(), it.key(), it.value()) })
                .hasNoDuplicates() shouldBeSameInstanceAs assertion
        }

        test("a field check carries expected and actual, so an IDE can diff them; a percent sign in a value is not a format") {
            val error = failureOf { assertThat(records[2]).hasValue("100% paid") }
            error.shouldBeInstanceOf<AssertionFailedError>()
            error.expected.value shouldBe "\"100% paid\""
            error.actual.value shouldBe "\"paid\""
            error.message!! shouldContain "100% paid"
        }

        test("a null actual fails as AssertJ's isNotNull does, not with a NullPointerException") {
            failureOf { assertThat(null as ConsumerRecord<String, String>?).hasKey("o-1") }.message!! shouldContain
                "Expecting actual not to be null"
        }

        test("soft assertions collect every failure, proxied, with the same messages") {
            val softly = KafkaSoftAssertions()
            softly.assertThat(records).hasSize(2).containsRecord { it.key = "o-9" }
            softly.assertThat(records[0]).hasValue("paid")
            // AssertJ adds the line of each soft assertion after the message ("\nat ...").
            softly.errorsCollected().map { it.message!!.substringBefore("\nat ") } shouldBe
                listOf(
                    failureOf(haveSent(2), records),
                    failureOf(haveSent { key = "o-9" }, records),
                    failureOf(haveValue("paid"), records[0]),
                )
        }
    })
