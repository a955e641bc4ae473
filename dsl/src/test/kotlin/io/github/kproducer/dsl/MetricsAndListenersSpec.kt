package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.readStrings
import io.github.kproducer.testkit.shouldHaveHeader
import io.github.kproducer.testkit.shouldNotHaveHeader
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.NotEnoughReplicasException
import java.util.Collections
import kotlin.time.Duration.Companion.seconds

class MetricsAndListenersSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("metrics count acknowledged and failed records and carry the client's rates and latencies") {
            kafka.createTopic("monitored")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                maxRequestSize = 2000 // the record of 4 KiB fails in the client, alone
            }.use { producer ->
                producer.sendAllSettled((0 until 20).map { ProducerRecord("monitored", "k", if (it == 7) "x".repeat(4096) else "v$it") })
                val metrics = producer.metrics()
                metrics.acknowledged shouldBe 19L
                metrics.failed shouldBe 1L
                metrics.inFlight shouldBe 0L
                metrics.recordSendRate!! shouldBeGreaterThan 0.0
                metrics.requestLatencyAvgMs shouldNotBe null
                metrics.bufferAvailableBytes!! shouldBeGreaterThan 0.0
            }
        }

        test("a mock without client metrics still counts, and leaves the client's figures empty") {
            val mock = MockKafkaProducer<String, String>()
            mock.failNextSends(1, NotEnoughReplicasException("x"))
            val producer = mock.asKProducer()
            producer.sendAllSettled((0 until 3).map { ProducerRecord("t", "k", "$it") })
            val metrics = producer.metrics()
            metrics.acknowledged shouldBe 2L
            metrics.failed shouldBe 1L
            metrics.recordSendRate shouldBe null
        }

        test("Micrometer gets the client's metrics and kproducer's counters, and loses them again on close of the binding") {
            kafka.createTopic("micrometer")
            val registry = SimpleMeterRegistry()
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { producer ->
                val binding = producer.bindMetrics(registry)
                producer.sendAll((0 until 5).map { ProducerRecord("micrometer", "k", "v$it") })
                registry.get("kproducer.records.acknowledged").functionCounter().count() shouldBe 5.0
                registry.get("kproducer.records.in.flight").gauge().value() shouldBe 0.0
                registry.meters.any { it.id.name.startsWith("kafka.producer.") } shouldBe true
                binding.close()
                registry.find("kproducer.records.acknowledged").functionCounter() shouldBe null
            }
        }

        test("listeners hear every outcome, off the producer's I/O thread") {
            val heard = Collections.synchronizedList(mutableListOf<String>())
            val mock = MockKafkaProducer<String, String>()
            mock.failWhen(NotEnoughReplicasException("x")) { it.value() == "bad" }
            val producer =
                mock.asKProducer {
                    listener(
                        SendListener(
                            onSuccess = { record, metadata -> heard += "ok ${record.value()}@${metadata.offset()} ${Thread.currentThread().name}" },
                            onError = { record, e -> heard += "failed ${record.value()} ${e.javaClass.simpleName} ${Thread.currentThread().name}" },
                        ),
                    )
                }
            producer.sendAllSettled(listOf("good", "bad").map { ProducerRecord("t", "k", it) })
            eventually(5.seconds) { heard.size shouldBe 2 }
            heard.map { it.substringBeforeLast(' ') }.sorted() shouldBe listOf("failed bad NotEnoughReplicasException", "ok good@0")
            heard.forEach { it.contains("kafka-producer-network-thread") shouldBe false }
        }

        test("headers of the coroutine context are copied into records when configured, and only then") {
            kafka.createTopic("traced")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                copyContextHeaders = true
            }.use { producer ->
                withContext(HeadersContext("traceId" to "trace-42")) {
                    producer.send("traced", "k", "with trace")
                    producer.send("traced") {
                        key = "k"
                        value = "own trace"
                        header("traceId", "mine")
                    }
                }
            }
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { producer ->
                withContext(HeadersContext("traceId" to "trace-43")) { producer.send("traced", "k", "not configured") }
            }
            val records = kafka.readStrings("traced", 3).associateBy { it.value() }
            records.getValue("with trace").shouldHaveHeader("traceId", "trace-42")
            records.getValue("own trace").shouldHaveHeader("traceId", "mine")
            records.getValue("not configured").shouldNotHaveHeader("traceId")
        }
    })
