package io.github.kproducer.testkit.nemesis

import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.history.SendHistory
import io.github.kproducer.testkit.internal.nemesis.NemesisSchedule
import io.github.kproducer.testkit.readAllStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.time.Duration
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds

/**
 * The nemesis: its schedule is a function of its seed, bad settings are named, and, against a real
 * broker, the history checker finds the duplicates Kafka's protocol makes when a non-idempotent producer
 * retries a write whose answer was lost, and finds none when the producer is idempotent.
 */
class NemesisSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { faultProxy = true }

        test("the same seed draws the same schedule; another seed another one") {
            fun draw(seed: Long) =
                NemesisSchedule.draw(seed, NemesisFault.entries, listOf(1, 2, 3), listOf("orders" to 3), 12, 600.milliseconds, 300.milliseconds)
            draw(42) shouldBe draw(42)
            draw(42) shouldNotBe draw(43)
            val steps = draw(7)
            steps.map { it.index } shouldBe (0 until 12).toList()
            steps.zipWithNext().forEach { (a, b) -> b.start shouldBe a.start + a.length + Duration.ofMillis(300) }
            steps.forEach { (it.length.toMillis() in 300L..900L) shouldBe true }
        }

        test("a nemesis names every invalid setting at once") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    kafka.nemesis(1) {
                        faults(NemesisFault.BROKER_RESTART)
                        steps = 0
                        pause = (-1).milliseconds
                    }
                }
            error.message shouldContain "steps must be at least 1, was 0"
            error.message shouldContain "pause must be zero or more"
            error.message shouldContain "BROKER_RESTART needs at least 3 brokers (the controller quorum must survive a stop); this cluster has 1"
            val leaders = shouldThrow<IllegalArgumentException> { kafka.nemesis(1) { faults(NemesisFault.LEADER_MOVE) } }
            leaders.message shouldContain "LEADER_MOVE needs the topics it acts on: topics(\"orders\", ...)"
            leaders.message shouldContain "LEADER_MOVE needs at least 2 brokers; this cluster has 1"
        }

        test("proxy faults on a cluster without the proxy are refused with the fix") {
            EmbeddedKafka().use { plain ->
                shouldThrow<IllegalArgumentException> { plain.nemesis(1) { faults(NemesisFault.LATENCY) } }
                    .message shouldContain "need the fault proxy: start the cluster with faultProxy = true"
                shouldThrow<IllegalArgumentException> { plain.nemesis(1) }.message shouldContain "this cluster supports no nemesis fault"
            }
        }

        /** Sends [count] records, one key, pipelined, through [history] while a nemesis drops answers; returns the check. */
        fun droppedAnswers(
            topic: String,
            seed: Long,
            idempotent: Boolean,
        ) = run {
            kafka.createTopic(topic)
            val history = SendHistory()
            val settings =
                kafka.connectionProperties() +
                    mapOf(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG to idempotent,
                        ProducerConfig.ACKS_CONFIG to "all",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 1_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 60_000,
                        ProducerConfig.LINGER_MS_CONFIG to 5,
                        ProducerConfig.RETRY_BACKOFF_MS_CONFIG to 20,
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION to 1,
                    )
            val nemesis = kafka.nemesis(seed) { faults(NemesisFault.DROPPED_ANSWERS).steps(2).stepLength(Duration.ofMillis(800)) }
            KafkaProducer(settings, StringSerializer(), StringSerializer()).use { producer ->
                nemesis.use {
                    var i = 0
                    // Keep writing through both steps, then a little after.
                    while (!nemesis.isFinished() && i < 20_000) {
                        val record = ProducerRecord(topic, "k", "v-${i++}")
                        producer.send(record, history.attempt(record))
                        Thread.sleep(2)
                    }
                    nemesis.awaitFinished(Duration.ofSeconds(30)) shouldBe true
                    nemesis.stepsStarted() shouldBe 2
                }
                producer.flush()
            }
            history.check(kafka.readAllStrings(topic), nemesis)
        }

        test("answers dropped under a producer without idempotence: its retries write duplicates, and the checker names them with the seed") {
            val check = droppedAnswers("nemesis-plain", seed = 11, idempotent = false)
            check.duplicated.shouldNotBeEmpty()
            check.isReliable shouldBe false
            val report = shouldThrow<AssertionError> { check.assertReliable() }.message!!
            report shouldContain "duplicated: ${check.duplicated.size}"
            report shouldContain "Nemesis seed 11, 2 steps (2 started); run the same schedule with kafka.nemesis(11)"
            report shouldContain "ran  #0 at 0.300s"
        }

        test("the same faults under an idempotent producer: nothing lost, duplicated or reordered") {
            val check = droppedAnswers("nemesis-idempotent", seed = 11, idempotent = true)
            check.assertReliable()
            check.acknowledged shouldBeGreaterThan 0
            check.read shouldBe check.acknowledged + check.failedButWritten
        }

        test("close stops a schedule early and heals its step: records flow again at once") {
            kafka.createTopic("nemesis-close")
            val nemesis = kafka.nemesis(5) { faults(NemesisFault.PRODUCE_ERRORS).steps(1).stepLength(Duration.ofSeconds(60)).pause(Duration.ZERO) }
            while (nemesis.stepsStarted() == 0) Thread.sleep(5)
            nemesis.close()
            nemesis.isFinished() shouldBe true
            KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use { producer ->
                producer.send(ProducerRecord("nemesis-close", "k", "v")).get(30, TimeUnit.SECONDS).offset() shouldBe 0L
            }
            nemesis.describe() shouldContain "ran  #0 at 0.000s"
        }
    })
