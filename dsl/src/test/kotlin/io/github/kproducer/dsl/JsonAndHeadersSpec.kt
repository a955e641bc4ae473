package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.read
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.serialization.Serializable
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.serialization.StringDeserializer
import java.time.Instant
import java.util.UUID

@Serializable
data class UserEvent(
    val userId: String,
    val action: String,
    val timestamp: Long,
)

@Serializable
data class Reading(
    val celsius: Double,
)

class JsonAndHeadersSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("a keyed JSON event (study note 002) is written with kotlinx.serialization and read back into the class") {
            kafka.createTopic("user-events", partitions = 3)
            kafkaProducer<String, UserEvent> {
                bootstrapServers = kafka.bootstrapServers
                valueSerializer(jsonSerializer<UserEvent>())
            }.use { producer ->
                producer.send("user-events", "user-123", UserEvent("user-123", "LOGIN", 1_700_000_000_000))
            }
            val record = kafka.read("user-events", 1, StringDeserializer(), jsonDeserializer<UserEvent>()).single()
            record.value() shouldBe UserEvent("user-123", "LOGIN", 1_700_000_000_000)
            val raw = kafka.read("user-events", 1, StringDeserializer(), StringDeserializer()).single()
            raw.value() shouldBe """{"userId":"user-123","action":"LOGIN","timestamp":1700000000000}"""
        }

        test("bad JSON fails as Kafka's SerializationException naming the type and topic") {
            val error = shouldThrow<SerializationException> { jsonDeserializer<UserEvent>().deserialize("events", "{not json".toByteArray()) }
            error.message shouldContain "UserEvent"
            error.message shouldContain "events"
        }

        test("a value JSON cannot write fails as Kafka's SerializationException naming the type and topic, and null stays a tombstone") {
            val serializer = jsonSerializer<Reading>()
            val error = shouldThrow<SerializationException> { serializer.serialize("readings", Reading(Double.NaN)) }
            error.message shouldContain "Cannot write io.github.kproducer.dsl.Reading as JSON for topic 'readings'"
            error.message shouldContain "NaN"
            serializer.serialize("readings", null) shouldBe null
            jsonDeserializer<Reading>().deserialize("readings", null) shouldBe null
        }

        test("typed header values travel as text and read back as their types") {
            kafka.createTopic("typed-headers")
            val id = UUID.fromString("8f1d6c1e-0000-4000-8000-000000000001")
            val at = Instant.parse("2026-11-21T10:15:30Z")
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { producer ->
                producer.send("typed-headers") {
                    key = "order-456"
                    value = "{}"
                    header("attempt", 3L)
                    header("replay", true)
                    header("transactionId", id)
                    header("createdAt", at)
                    header("sourceType", "web")
                }
            }
            val headers = kafka.read("typed-headers", 1, StringDeserializer(), StringDeserializer()).single().headers()
            headers.long("attempt") shouldBe 3L
            headers.int("attempt") shouldBe 3
            headers.boolean("replay") shouldBe true
            headers.uuid("transactionId") shouldBe id
            headers.instant("createdAt") shouldBe at
            headers.string("sourceType") shouldBe "web"
            headers.string("missing") shouldBe null
        }
    })
