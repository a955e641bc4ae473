package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.SequenceRefusals
import io.kotest.core.extensions.TestCaseExtension
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.core.test.TestCase
import io.kotest.engine.test.TestResult
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.sequences.shouldNotBeEmpty
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.protocol.Errors
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import io.kotest.matchers.collections.shouldNotBeEmpty as shouldNotBeEmptyList

/**
 * A user's test that loses records to KAFKA-15591 on the embedded broker fails with a message that
 * names it and the fix. The fault proxy makes the loss certain: the first Produce request to a new
 * topic is answered `NOT_LEADER_OR_FOLLOWER` while 20 ms of latency keeps later requests in flight, so
 * a raw idempotent `KafkaProducer` has its first records refused until its delivery timeout.
 *
 * What the user's test ends with is checked by [Outcome], registered before the broker's extension so
 * that it sees the result that extension returns, and turns the expected failure into a pass.
 */
class FreshPartitionLossSpec :
    FunSpec({
        val outcome = Outcome()
        extension(outcome)
        val kafka = install(EmbeddedKafkaExtension()) { faultProxy = true }

        outcome.expect("a raw producer's records lost on a fresh partition") { failure ->
            failure.shouldBeInstanceOf<AssertionError>()
            failure.message!! shouldContain "Expiring"
            failure.message!! shouldContain "KAFKA-15591"
            failure.message!! shouldContain "createTopic"
            failure.message!! shouldContain "awaitPartitionsServing"
            // The test's own failure stays, as the cause.
            generateSequence(failure.cause) { it.cause }.filterIsInstance<TimeoutException>().shouldNotBeEmpty()
        }
        test("a raw producer's records lost on a fresh partition") {
            // As a user's test would: wait for the first record, which the broker never takes.
            loseFirstRecords(kafka, "loss")
        }

        outcome.expect("a failure without refusals keeps its own message") { failure ->
            failure.shouldBeInstanceOf<IllegalStateException>().message shouldContain "nothing to do with Kafka"
        }
        test("a failure without refusals keeps its own message") {
            kafka.createTopic("no-loss")
            throw IllegalStateException("nothing to do with Kafka")
        }

        outcome.expect("another spec's broker's refusals do not explain this test's failure") { failure ->
            failure.shouldBeInstanceOf<IllegalStateException>().message shouldContain "this test's own failure"
        }
        test("another spec's broker's refusals do not explain this test's failure") {
            // A cluster another spec's extension started, running at the same time (Kotest runs specs at once).
            val otherSpec = Any()
            val started = System.nanoTime()
            EmbeddedKafka.start { it.faultProxy = true }.ownedBy(otherSpec).use { other ->
                runCatching { loseFirstRecords(other, "other-loss") }.exceptionOrNull().shouldNotBeNull()
            }
            SequenceRefusals.since(started, otherSpec).shouldNotBeEmptyList()
            throw IllegalStateException("this test's own failure")
        }
    }) {
    private companion object {
        /** Sends 2,000 records through a raw idempotent producer whose first request to [topic] is refused; waits for the first. */
        fun loseFirstRecords(
            kafka: EmbeddedKafka,
            topic: String,
        ) {
            kafka.createTopic(topic)
            kafka
                .faults {
                    produce(topic = topic) { respond(Errors.NOT_LEADER_OR_FOLLOWER, times = 1) }
                    latency(20.milliseconds)
                }.use {
                    KafkaProducer(
                        kafka.connectionProperties() +
                            mapOf(
                                ProducerConfig.LINGER_MS_CONFIG to 0,
                                ProducerConfig.BATCH_SIZE_CONFIG to 2048,
                                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 2_000,
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 4_000,
                            ),
                        StringSerializer(),
                        StringSerializer(),
                    ).use { producer ->
                        val sent: List<Future<RecordMetadata>> = (0 until 2_000).map { producer.send(ProducerRecord(topic, null, "$it")) }
                        sent.first().get(30, TimeUnit.SECONDS)
                    }
                }
        }
    }

    /** Turns each named test's failure into a pass when [expect]'s check of it passes; fails the test otherwise. */
    private class Outcome : TestCaseExtension {
        private val checks = HashMap<String, (Throwable) -> Unit>()

        fun expect(
            test: String,
            check: (Throwable) -> Unit,
        ) {
            checks[test] = check
        }

        override suspend fun intercept(
            testCase: TestCase,
            execute: suspend (TestCase) -> TestResult,
        ): TestResult {
            val result = execute(testCase)
            val check = checks[testCase.name.name] ?: return result
            val failure = result.errorOrNull ?: return TestResult.Failure(result.duration, AssertionError("the test was expected to fail"))
            return try {
                check(failure)
                TestResult.Success(result.duration)
            } catch (e: AssertionError) {
                TestResult.Failure(result.duration, AssertionError("the failure did not end as expected: ${e.message}", failure))
            }
        }
    }
}
