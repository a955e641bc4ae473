package io.github.kproducer.testkit

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.mockk.every
import io.mockk.mockk
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord

/** Study note 000's MockK test, and the same test with the test kit; testkit/README.md shows them side by side. */
class StudyNoteMockSpec :
    StringSpec({
        // region readme:study-note-mockk
        "with MockK: the callback is called when an asynchronous send succeeds" {
            val producer = mockk<KafkaProducer<String, String>>()
            val record = ProducerRecord("testTopic", "key", "value")

            every { producer.send(any(), any()) } answers {
                val callback = secondArg<Callback>()
                callback.onCompletion(mockk(relaxed = true), null)
                mockk() // a Future
            }

            var success = false
            producer.send(record) { _, e -> if (e == null) success = true }

            success shouldBe true
        }
        // endregion

        // region readme:study-note-testkit
        "with the test kit: the callback is called when an asynchronous send succeeds" {
            val producer = MockKafkaProducer<String, String>()

            var success = false
            producer.send(ProducerRecord("testTopic", "key", "value")) { _, e -> if (e == null) success = true }
            producer.flush()

            success shouldBe true
            producer.awaitRecord() shouldHaveKey "key" shouldHaveValue "value"
        }
        // endregion

        "with the test kit: the callback sees the failure, and the metadata cannot fool it" {
            val producer = MockKafkaProducer<String, String>()
            producer.failNextSends(
                1,
                org.apache.kafka.common.errors
                    .TimeoutException("Expiring 1 record(s)"),
            )

            var failure: Exception? = null
            producer.send(ProducerRecord("testTopic", "key", "value")) { metadata, e ->
                failure = e
                metadata.offset() shouldBe -1L // what the real client passes on failure
            }
            producer.flush()

            failure!!.message shouldBe "Expiring 1 record(s)"
        }
    })
