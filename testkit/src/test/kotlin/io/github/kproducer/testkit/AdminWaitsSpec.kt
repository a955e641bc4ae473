package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.admin.NewTopic
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** `Admin.awaitPartitionsServing`: the wait `createTopic` does, for topics created with a plain Admin call. */
class AdminWaitsSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("after the wait, the first produce to each partition of a topic Admin just created is accepted, with no retry") {
            val refused = mutableListOf<String>()
            kafka.admin().use { admin ->
                KafkaProducer(
                    kafka.connectionProperties() + mapOf(ProducerConfig.RETRIES_CONFIG to 0, ProducerConfig.LINGER_MS_CONFIG to 0),
                    StringSerializer(),
                    StringSerializer(),
                ).use { producer ->
                    repeat(TOPICS) { i ->
                        val topic = "admin-waits-$i"
                        admin.createTopics(listOf(NewTopic(topic, 3, 1))).all().get(30, TimeUnit.SECONDS)
                        admin.awaitPartitionsServing(listOf(topic))
                        (0 until 3)
                            .map { partition -> partition to producer.send(ProducerRecord(topic, partition, "k", "v")) }
                            .forEach { (partition, sent) ->
                                runCatching { sent.get(30, TimeUnit.SECONDS) }.onFailure { refused += "$topic-$partition: ${it.cause}" }
                            }
                    }
                }
            }
            refused.shouldBeEmpty()
        }

        test("a topic that never serves ends the wait after its timeout, saying what was seen last") {
            kafka.admin().use { admin ->
                val error = shouldThrow<AssertionError> { admin.awaitPartitionsServing(listOf("admin-waits-missing"), 500.milliseconds) }
                error.message!! shouldContain "did not serve produce requests within 500ms"
                error.message!! shouldContain "admin-waits-missing"
            }
        }

        test("a negative timeout is refused, naming it") {
            kafka.admin().use { admin ->
                shouldThrow<IllegalArgumentException> { admin.awaitPartitionsServing(listOf("x"), (-1).seconds) }.message shouldContain "negative"
            }
        }
    }) {
    private companion object {
        const val TOPICS = 30
    }
}
