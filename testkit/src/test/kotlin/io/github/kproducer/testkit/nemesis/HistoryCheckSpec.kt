package io.github.kproducer.testkit.nemesis

import io.github.kproducer.testkit.history.SendHistory
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import kotlinx.coroutines.CancellationException
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.TimeoutException
import java.util.concurrent.CompletableFuture

/**
 * The history checker on histories built by hand, one violation at a time, so that each check is seen
 * to fail; [NemesisSpec] runs it against real producers and a real broker.
 */
class HistoryCheckSpec :
    FunSpec({
        fun metadata(
            partition: Int,
            offset: Long,
        ) = RecordMetadata(TopicPartition("t", partition), offset, 0, 0L, 1, 1)

        fun read(
            key: String,
            value: Any,
            partition: Int,
            offset: Long,
        ) = ConsumerRecord<Any, Any>("t", partition, offset, key, value)

        /** Attempts [value] under [key] and acknowledges it at [partition]@[offset]. */
        fun SendHistory.acked(
            key: String,
            value: String,
            partition: Int,
            offset: Long,
        ) = attempt(ProducerRecord("t", key, value)).onCompletion(metadata(partition, offset), null)

        test("a history whose every record is on the topic once, in order, where acknowledged, is reliable") {
            val history = SendHistory()
            history.acked("a", "a-1", 0, 0)
            history.acked("a", "a-2", 0, 1)
            history.acked("b", "b-1", 1, 0)
            val check = history.check(listOf(read("a", "a-1", 0, 0), read("a", "a-2", 0, 1), read("b", "b-1", 1, 0)))
            check.isReliable shouldBe true
            check.assertReliable() shouldBe check
            check.acknowledged shouldBe 3
            check.toString() shouldStartWith "The history is reliable: 3 attempted, 3 acknowledged, 3 read back"
        }

        test("an acknowledged record that is not on the topic is acknowledged-but-missing") {
            val history = SendHistory()
            history.acked("a", "a-1", 0, 0)
            history.acked("a", "a-2", 0, 1)
            val check = history.check(listOf(read("a", "a-1", 0, 0)))
            check.isReliable shouldBe false
            check.acknowledgedButMissing shouldBe listOf("t/a-2 (acknowledged at 0@1)")
            shouldThrow<AssertionError> { check.assertReliable() }.message shouldContain "acknowledged but missing: 1\n    t/a-2 (acknowledged at 0@1)"
        }

        test("a record on the topic twice is duplicated, with both places") {
            val history = SendHistory()
            history.acked("a", "a-1", 0, 0)
            val check = history.check(listOf(read("a", "a-1", 0, 0), read("a", "a-1", 0, 1)))
            check.duplicated shouldBe listOf("t/a-1 at 0@0, 0@1")
            check.isReliable shouldBe false
        }

        test("a key's records in another order than attempted are reordered; other keys may interleave freely") {
            val history = SendHistory()
            history.acked("a", "a-1", 0, 1)
            history.acked("b", "b-1", 0, 0)
            history.acked("a", "a-2", 0, 0)
            val check = history.check(listOf(read("a", "a-2", 0, 0), read("a", "a-1", 0, 1), read("b", "b-1", 0, 2)))
            check.reorderedPerKey shouldHaveSize 1
            check.reorderedPerKey.single() shouldContain "key a in partition 0: a-2 (attempted #2) is at offset 0, before a-1 (attempted #0) at offset 1"
            // b-1 was acknowledged at offset 0 but found at 2: that is a separate violation.
            check.acknowledgedElsewhere.map { it.substringBefore(':') } shouldBe listOf("t/b-1")
        }

        test("a record never answered is lost when it is not on the topic, and unanswered when it is") {
            val history = SendHistory()
            history.attempt(ProducerRecord("t", "a", "a-1"))
            history.attempt(ProducerRecord("t", "a", "a-2"))
            val check = history.check(listOf(read("a", "a-2", 0, 0)))
            check.lost shouldBe listOf("t/a-1")
            check.unanswered shouldBe listOf("t/a-2")
            check.isReliable shouldBe false
        }

        test("a failed record on the topic and an unknown outcome are counted, not violations") {
            val history = SendHistory()
            history.attempt(ProducerRecord("t", "a", "a-1")).onCompletion(null, TimeoutException("expired"))
            val unknown = CompletableFuture<RecordMetadata>()
            history.sendAsync(ProducerRecord("t", "a", "a-2")) { unknown }
            unknown.cancel(false)
            shouldThrow<CancellationException> { history.send(ProducerRecord("t", "a", "a-3")) { throw CancellationException("stopped") } }
            val check = history.check(listOf(read("a", "a-1", 0, 0), read("x", "other writer", 0, 1)))
            check.isReliable shouldBe true
            check.failedButWritten shouldBe 1
            check.unknownOutcome shouldBe 2
            check.notAttempted shouldBe 1
        }

        test("strings and bytes compare by content: a record sent as a String matches its bytes read back") {
            val history = SendHistory()
            history.attempt(ProducerRecord("t", "k".toByteArray(), "v-1")).onCompletion(metadata(0, 0), null)
            history.check(listOf(read("k", "v-1".toByteArray(), 0, 0))).assertReliable()
        }

        test("a value attempted twice on one topic is refused, naming the fix") {
            val history = SendHistory()
            history.attempt(ProducerRecord("t", "a", "same"))
            shouldThrow<IllegalArgumentException> { history.attempt(ProducerRecord("t", "b", "same")) }
                .message shouldContain "give each record a value no other record of its topic has"
        }

        test("send records the metadata and rethrows a failure after recording it") {
            val history = SendHistory()
            history.send(ProducerRecord("t", "a", "a-1")) { metadata(0, 0) }
            shouldThrow<TimeoutException> { history.send(ProducerRecord("t", "a", "a-2")) { throw TimeoutException("expired") } }
            val check = history.check(listOf(read("a", "a-1", 0, 0)))
            check.acknowledged shouldBe 1
            check.lost.shouldBeEmpty()
            check.isReliable shouldBe true
        }
    })
