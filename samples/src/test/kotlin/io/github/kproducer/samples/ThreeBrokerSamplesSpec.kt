package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.ints.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import org.apache.kafka.common.IsolationLevel

/** The samples that need a 3-broker cluster: failover and exactly-once. */
class ThreeBrokerSamplesSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { brokers = 3 }

        test("broker-failure: with one broker stopped mid-stream and restarted, nothing is lost, duplicated or reordered") {
            val result = BrokerFailure.demo(Captured(kafka, scale = 0.25).env)
            result.stoppedBroker shouldNotBe null
            kafka.brokerIds.all { kafka.isRunning(it) } shouldBe true
            result.lost shouldBe 0
            result.duplicated shouldBe 0
            result.keysOutOfOrder shouldBe 0
            result.read shouldBe result.sent
            kafka.readAllStrings(BrokerFailure.TOPIC).size shouldBe result.sent
        }

        test("exactly-once: a processor restarted halfway leaves every order exactly once in the committed output") {
            val result = ExactlyOnce.demo(Captured(kafka, scale = 0.5).env)
            result.byFirstInstance shouldBeGreaterThan 0
            result.byFirstInstance shouldBeLessThan result.inputs
            val committed = kafka.readAllStrings(ExactlyOnce.OUTPUT, IsolationLevel.READ_COMMITTED).map { it.value()!!.substringBefore(" enriched") }
            committed.size shouldBe result.inputs
            committed.toSet() shouldBe (0 until result.inputs).map { "order-$it" }.toSet()
        }
    })
