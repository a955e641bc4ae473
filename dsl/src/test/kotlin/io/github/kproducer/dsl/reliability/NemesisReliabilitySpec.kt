package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.dsl.reliable
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.history.SendHistory
import io.github.kproducer.testkit.readAllStrings
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import org.apache.kafka.clients.producer.ProducerRecord
import org.slf4j.LoggerFactory
import java.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** How many seeded schedules to run: 3 in the suite, `-Dkproducer.nemesis.schedules=100` for the soak RELIABILITY.md reports. */
private val schedules = System.getProperty("kproducer.nemesis.schedules")?.toInt() ?: 3

/** The first seed; `-Dkproducer.nemesis.seed=N -Dkproducer.nemesis.schedules=1` reruns one schedule. */
private val firstSeed = System.getProperty("kproducer.nemesis.seed")?.toLong() ?: 1L

/**
 * `reliable()` against a seeded nemesis (Jepsen's method, in seconds): on a three-broker cluster
 * (replication factor 3, min ISR 2) with the fault proxy, each schedule draws eight steps from every
 * fault kind (retriable error answers for a broker or one partition, dropped, delayed and throttled
 * answers, latency, cut connections, slowed replication, broker restarts, leader moves) while six keys
 * send pipelined batches. The history checker then compares what the producer
 * was told with what is on the topic: nothing lost, nothing unanswered, nothing acknowledged but
 * missing, nothing duplicated, each key in order. A failure prints its seed and schedule.
 */
class NemesisReliabilitySpec :
    FunSpec({
        val kafka =
            install(EmbeddedKafkaExtension()) {
                brokers = 3
                faultProxy = true
            }
        val log = LoggerFactory.getLogger(NemesisReliabilitySpec::class.java)

        for (seed in firstSeed until firstSeed + schedules) {
            test("seed $seed: reliable() through a seeded schedule of faults: 0 lost, 0 duplicated, order per key kept").config(timeout = 4.minutes) {
                val topic = "nemesis-$seed"
                kafka.createTopic(topic, partitions = 3, replicationFactor = 3, configs = mapOf("min.insync.replicas" to "2"))
                val history = SendHistory()
                val nemesis =
                    kafka.nemesis(seed) {
                        steps = 8
                        topics(topic)
                    }
                kafkaProducer<String, String> {
                    bootstrapServers = kafka.bootstrapServers
                    clientId = "nemesis-$seed"
                    reliable()
                    // A dropped answer is retried within the step that dropped it.
                    requestTimeout = 1.seconds
                }.use { producer ->
                    nemesis.use {
                        coroutineScope {
                            repeat(KEYS) { key ->
                                launch(Dispatchers.Default) {
                                    var n = 0
                                    while (!nemesis.isFinished()) {
                                        val batch = List(BATCH) { ProducerRecord(topic, "key-$key", "key-$key-${n++}") }
                                        val callbacks = batch.map { history.attempt(it) }
                                        producer.sendAllSettled(batch).forEachIndexed {
                                            i,
                                            result,
                                            ->
                                            callbacks[i].onCompletion(result.metadata, result.exception)
                                        }
                                    }
                                }
                            }
                        }
                        nemesis.awaitFinished(Duration.ofMinutes(2)) shouldBe true
                    }
                    producer.flush()
                }
                val check = history.check(kafka.readAllStrings(topic), nemesis)
                log.info("seed {}: {}", seed, check)
                check.assertReliable()
                check.acknowledged shouldBeGreaterThan 0
            }
        }
    }) {
    private companion object {
        const val KEYS = 6
        const val BATCH = 50
    }
}
