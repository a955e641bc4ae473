package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.PartitionerLambda
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.readStrings
import io.github.kproducer.testkit.shouldHaveHeader
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import org.apache.kafka.clients.producer.ProducerRecord
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

class PluginsSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("a partitioner lambda decides partitions in the real client (study note 002: hash of the user id)") {
            kafka.createTopic("user-partitioned", partitions = 4)
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                // The user id is the part of the key before ':'; all of a user's events share a partition.
                partitioner { _, key, _, partitionCount -> Math.floorMod(key!!.substringBefore(':').hashCode(), partitionCount) }
            }.use { producer ->
                producer.sendAll((0 until 40).map { ProducerRecord("user-partitioned", "user-${it % 5}:event-$it", "v") })
            }
            kafka.readStrings("user-partitioned", 40).forEach { record ->
                record.partition() shouldBe Math.floorMod(record.key()!!.substringBefore(':').hashCode(), 4)
            }
        }

        test("interceptor lambdas run in the real client: onSend changes the record, onAcknowledgement sees every outcome") {
            kafka.createTopic("intercepted")
            val acknowledged = AtomicInteger()
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                onSend { record -> record.apply { headers().add("sourceType", "web".toByteArray()) } }
                onSend { record ->
                    ProducerRecord(record.topic(), record.partition(), record.timestamp(), record.key(), record.value().uppercase(), record.headers())
                }
                onAcknowledgement { _, exception -> if (exception == null) acknowledged.incrementAndGet() }
            }.use { producer -> producer.sendAll((0 until 10).map { ProducerRecord("intercepted", "k", "value-$it") }) }
            val records = kafka.readStrings("intercepted", 10)
            records.forEach { it.shouldHaveHeader("sourceType", "web") }
            records.first().value() shouldBe "VALUE-0"
            eventually(5.seconds) { acknowledged.get() shouldBe 10 }
        }

        test("two producers in one JVM keep their own lambdas: nothing global is shared") {
            kafka.createTopic("two-producers", partitions = 3)

            fun producer(partition: Int) =
                kafkaProducer<String, String> {
                    bootstrapServers = kafka.bootstrapServers
                    partitioner { _, _, _, _ -> partition }
                    onSend { record -> record.apply { headers().add("from", "$partition".toByteArray()) } }
                }
            producer(0).use { first ->
                producer(2).use { second ->
                    first.send("two-producers", "k", "a")
                    second.send("two-producers", "k", "b")
                }
            }
            val records = kafka.readStrings("two-producers", 2).associateBy { it.value() }
            records.getValue("a").partition() shouldBe 0
            records.getValue("b").partition() shouldBe 2
            records.getValue("b").shouldHaveHeader("from", "2")
        }

        test("the same lambdas work with the test kit's mock, as Kafka partitioner and interceptor instances") {
            val seen = AtomicInteger()
            val mock =
                MockKafkaProducer<String, String> {
                    topic("t", partitions = 3)
                    partitioner = RecordPartitioner<String, String> { _, _, _, count -> count - 1 }.asKafkaPartitioner()
                    interceptors +=
                        kafkaInterceptor<String, String>(
                            onSend = { record -> record.apply { headers().add("traced", "yes".toByteArray()) } },
                            onAcknowledgement = { _, _ -> seen.incrementAndGet() },
                        )
                }
            mock.asKProducer().use { producer -> producer.send("t", "k", "v").partition() shouldBe 2 }
            mock.history().single().shouldHaveHeader("traced", "yes")
            seen.get() shouldBe 1
        }

        test("the settings show the lambdas by name and refuse a class name for the same setting") {
            val settings =
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "b:9092"
                    partitioner { _, _, _, _ -> 0 }
                }
            settings.toString() shouldContain "kproducer.partitioner=PartitionerLambda"
            settings.toString() shouldNotContain "\$Lambda"
            val error =
                io.kotest.assertions.throwables.shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "b:9092"
                        partitioner { _, _, _, _ -> 0 }
                        property("partitioner.class", "com.example.MyPartitioner")
                    }
                }
            error.message shouldContain "'partitioner.class' is set twice"
        }
    })
