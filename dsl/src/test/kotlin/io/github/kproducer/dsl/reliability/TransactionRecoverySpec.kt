package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.readAllStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.errors.TimeoutException
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * A transaction coordinator that is away longer than `maxBlock`: Kafka then requires the timed-out
 * commit or abort to be retried before any other transactional call. The producer must not wedge:
 * it retries by itself once the coordinator is back, and the next transaction commits.
 */
class TransactionRecoverySpec :
    FunSpec({
        /** A transactional producer that gives up on an absent coordinator after 2 s. */
        fun transactional(
            kafka: EmbeddedKafka,
            id: String,
        ) = kafkaProducer<String, String> {
            bootstrapServers = kafka.bootstrapServers
            transactionalId = id
            maxBlock = 2.seconds
            requestTimeout = 1.seconds
            deliveryTimeout = 3.seconds
        }

        test("after a coordinator outage during commit, longer than maxBlock, the producer recovers by itself and the next transaction commits") {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("tx-recovery", partitions = 1)
                transactional(kafka, "tx-recovery-id").use { producer ->
                    producer.transaction { send("tx-recovery", "k", "first") }

                    // The block's record is acknowledged; then the whole cluster goes away before the commit.
                    val commitTimedOut =
                        shouldThrow<TimeoutException> {
                            producer.transaction {
                                send("tx-recovery", "k", "unknown-outcome")
                                withContext(Dispatchers.IO) { kafka.stopAllBrokers() }
                            }
                        }
                    commitTimedOut.message shouldContain "whether this transaction committed is not known yet"

                    // While the coordinator is still away, a new transaction fails fast with the same explained
                    // timeout: nothing is started, and the producer is not wedged in an IllegalStateException.
                    val started = TimeSource.Monotonic.markNow()
                    val stillAway = shouldThrow<TimeoutException> { producer.transaction { send("tx-recovery", "k", "never") } }
                    started.elapsedNow() shouldBeLessThan 8.seconds
                    stillAway.message shouldContain "has still not completed"
                    stillAway.message shouldNotContain "must be retried"
                    producer.isClosed shouldBe false

                    withContext(Dispatchers.IO) { kafka.startAllBrokers() }
                    producer.transaction { send("tx-recovery", "k", "after") }
                    producer.transaction { send(ProducerRecord("tx-recovery", "k", "and-again")) }
                }
                val committed = kafka.readAllStrings("tx-recovery", IsolationLevel.READ_COMMITTED).map { it.value() }
                committed shouldContain "first"
                committed shouldContain "after"
                committed shouldContain "and-again"
                committed shouldNotContain "never"
                // The commit that timed out was retried before "after": it committed (the coordinator had it) or aborted; never twice.
                committed.count { it == "unknown-outcome" } shouldBeLessThan 2
                println("[figures] transaction recovery: the timed-out commit ${if ("unknown-outcome" in committed) "committed" else "aborted"} on retry")
            }
        }

        test("an abort that times out is retried before the next transaction, which then commits") {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("tx-abort-recovery", partitions = 1)
                transactional(kafka, "tx-abort-recovery-id").use { producer ->
                    producer.transaction { send("tx-abort-recovery", "k", "first") }
                    val failure =
                        shouldThrow<IllegalStateException> {
                            producer.transaction {
                                send("tx-abort-recovery", "k", "aborted")
                                withContext(Dispatchers.IO) { kafka.stopAllBrokers() }
                                error("the block failed while the coordinator was away")
                            }
                        }
                    // The abort timed out; it rides on the block's own exception.
                    failure.suppressed.any { it is TimeoutException && it.message!!.contains("retries it") } shouldBe true

                    withContext(Dispatchers.IO) { kafka.startAllBrokers() }
                    producer.transaction { send("tx-abort-recovery", "k", "after") }
                }
                val committed = kafka.readAllStrings("tx-abort-recovery", IsolationLevel.READ_COMMITTED).map { it.value() }
                committed shouldBe listOf("first", "after")
            }
        }

        test("a record of the transaction that fails before reaching Kafka makes the transaction abort, not commit without it") {
            EmbeddedKafka { autoCreateTopics = false }.use { kafka ->
                kafka.createTopic("tx-partial", partitions = 1)
                kafkaProducer<String, String> {
                    bootstrapServers = kafka.bootstrapServers
                    transactionalId = "tx-partial-id"
                    maxBlock = 1.seconds
                }.use { producer ->
                    val failure =
                        shouldThrow<KafkaException> {
                            producer.transaction {
                                send("tx-partial", "k", "kept only if all went")
                                // Fire-and-forget to a topic that does not exist: it fails in its lane, after maxBlock.
                                offer(ProducerRecord("tx-partial-missing", "k", "lost"))
                            }
                        }
                    failure.message shouldContain "failed before it reached Kafka"
                    producer.transaction { send("tx-partial", "k", "next") }
                }
                kafka.readAllStrings("tx-partial", IsolationLevel.READ_COMMITTED).map { it.value() } shouldBe listOf("next")
            }
        }
    })
