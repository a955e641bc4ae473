package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.read
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import org.apache.kafka.common.serialization.StringDeserializer

/** Jackson from Kotlin: the same serializer the Java example uses, beside kotlinx.serialization's jsonSerializer. */
class JacksonJsonSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        /** Jackson writes a Kotlin class through its getters; reading one back needs jackson-module-kotlin, so the test reads a Map. */
        class Payment(
            val id: String,
            val amountCents: Long,
        )

        test("a Kotlin producer writes JSON with Jackson 3, read back as the same fields") {
            kafka.createTopic("json-kotlin")
            // region readme:jackson-kotlin
            kafkaProducer<String, Payment> {
                bootstrapServers = kafka.bootstrapServers
                valueSerializer(JacksonSerializer())
            }.use { producer -> producer.send("json-kotlin", "p-1", Payment("p-1", 1250)) }
            // endregion
            @Suppress("UNCHECKED_CAST")
            val read = kafka.read("json-kotlin", 1, StringDeserializer(), JacksonDeserializer(Map::class.java as Class<Map<String, Any>>))
            read.single().value() shouldBe mapOf("id" to "p-1", "amountCents" to 1250)
        }
    })
