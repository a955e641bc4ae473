package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.serialization.Serializer
import org.apache.kafka.common.serialization.StringSerializer

/** A serializer that cannot encode anything. */
private class RefusingSerializer : Serializer<String> {
    override fun serialize(
        topic: String,
        data: String?,
    ): ByteArray = throw IllegalStateException("cannot encode")
}

/** One failing serializer surfaces the same way whichever of the ways to pass it a user picks. */
class SerializerPathsSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("a failing serializer fails the send with the same SerializationException on every path, against a real broker") {
            kafka.createTopic("serializer-paths")
            val paths =
                mapOf(
                    "KProducer.builder(keySerializer, valueSerializer)" to {
                        KProducer.builder(StringSerializer(), RefusingSerializer()).bootstrapServers(kafka.bootstrapServers).build()
                    },
                    "builder(String.class, String.class).valueSerializer(...)" to {
                        KProducer
                            .builder(String::class.java, String::class.java)
                            .bootstrapServers(kafka.bootstrapServers)
                            .valueSerializer(RefusingSerializer())
                            .build()
                    },
                    "kafkaProducer { valueSerializer(...) }" to {
                        kafkaProducer<String, String> {
                            bootstrapServers = kafka.bootstrapServers
                            valueSerializer(RefusingSerializer())
                        }
                    },
                )
            val messages =
                paths.map { (path, create) ->
                    create().use { producer ->
                        val error = shouldThrow<SerializationException> { producer.send("serializer-paths", "k", "v") }
                        error.message shouldContain "value serializer ${RefusingSerializer::class.java.name} failed for a record to topic 'serializer-paths'"
                        error.message shouldContain "java.lang.IllegalStateException: cannot encode"
                        path to error.message
                    }
                }
            messages.map { it.second }.toSet() shouldHaveSize 1
        }

        test("the settings name the user's serializer, not the guard around it") {
            val settings = KProducer.builder(StringSerializer(), RefusingSerializer()).bootstrapServers("b:9092").buildSettings()
            settings.toString() shouldContain "keySerializer=StringSerializer, valueSerializer=RefusingSerializer"
        }
    })
