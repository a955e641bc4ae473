package io.github.kproducer.testkit

import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.TimeUnit

/**
 * Two specs that must run at the same time (the project runs two specs at once), each with its own
 * broker: both wait at a barrier while their brokers run, and each sees only its own records.
 */
private object Rendezvous {
    val barrier = CyclicBarrier(2)
    val addresses = ConcurrentHashMap<String, String>()
}

private fun parallelSide(name: String): FunSpec.() -> Unit =
    {
        val kafka = install(EmbeddedKafkaExtension())

        test("$name has its own broker while the other spec's broker runs") {
            Rendezvous.addresses[name] = kafka.bootstrapServers
            KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use {
                it.send(ProducerRecord("shared-name", name)).get()
            }
            // Both brokers are up at this point, or the barrier times out.
            Rendezvous.barrier.await(90, TimeUnit.SECONDS)

            Rendezvous.addresses.values
                .toSet()
                .size shouldBe 2
            val records = kafka.readStrings("shared-name", 1)
            records.map { it.value() } shouldBe listOf(name)
            kafka.bootstrapServers shouldNotBe Rendezvous.addresses.getValue(if (name == "left") "right" else "left")
        }
    }

class ParallelBrokerLeftSpec : FunSpec(parallelSide("left"))

class ParallelBrokerRightSpec : FunSpec(parallelSide("right"))
