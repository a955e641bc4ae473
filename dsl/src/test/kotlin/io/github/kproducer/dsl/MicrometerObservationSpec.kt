package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.micrometer.observation.Observation
import io.micrometer.observation.ObservationHandler
import io.micrometer.observation.ObservationRegistry
import io.micrometer.observation.tck.TestObservationRegistry
import io.micrometer.observation.tck.TestObservationRegistryAssert
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.RecordTooLargeException
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

/**
 * `observation(registry)` against the embedded broker: one `kproducer.send` Observation per record,
 * parented to the caller's, its keys and outcome, and a propagating handler's headers in the record
 * the broker stores (what Micrometer Tracing's Brave and OpenTelemetry bridges do).
 */
class MicrometerObservationSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        /** Writes a trace header through the context's setter at start, as Micrometer Tracing's propagating sender handler does. */
        class Propagating : ObservationHandler<KProducerSendContext> {
            val stopped = CopyOnWriteArrayList<KProducerSendContext>()

            override fun onStart(context: KProducerSendContext) {
                context.setter.set(context.carrier, "traceparent", "00-trace-of-${context.record.key()}-01")
            }

            override fun onStop(context: KProducerSendContext) {
                stopped += context
            }

            override fun supportsContext(context: Observation.Context): Boolean = context is KProducerSendContext
        }

        test("a send is one stopped kproducer.send Observation, a child of the caller's, with the messaging keys and the record's offset") {
            val registry = TestObservationRegistry.create()
            val handler = Propagating()
            registry.observationConfig().observationHandler(handler)
            kafka.createTopic("observed", partitions = 1)
            KProducer
                .builder(
                    org.apache.kafka.common.serialization
                        .StringSerializer(),
                    org.apache.kafka.common.serialization
                        .StringSerializer(),
                ).bootstrapServers(kafka.bootstrapServers)
                .clientId("payments")
                .tracing(sendTracer(registry))
                .build()
                .use { producer ->
                    val parent = Observation.start("checkout", registry)
                    val metadata =
                        parent.scoped<org.apache.kafka.clients.producer.RecordMetadata> {
                            producer
                                .sendAsync(
                                    "observed",
                                    "p-1",
                                    "42",
                                ).get(30, TimeUnit.SECONDS)
                        }
                    parent.stop()
                    TestObservationRegistryAssert
                        .assertThat(registry)
                        .hasObservationWithNameEqualTo("kproducer.send")
                        .that()
                        .hasContextualNameEqualTo("send observed")
                        .hasBeenStarted()
                        .hasBeenStopped()
                        .hasLowCardinalityKeyValue("messaging.system", "kafka")
                        .hasLowCardinalityKeyValue("messaging.operation", "send")
                        .hasLowCardinalityKeyValue("messaging.destination.name", "observed")
                        .hasLowCardinalityKeyValue("messaging.client.id", "payments")
                        .hasHighCardinalityKeyValue("messaging.kafka.offset", metadata.offset().toString())
                        .hasParentObservationEqualTo(parent)
                    handler.stopped shouldHaveSize 1
                    handler.stopped.single().metadata shouldBe metadata
                }
            val stored = kafka.readStrings("observed", 1).single()
            String(stored.headers().lastHeader("traceparent").value()) shouldBe "00-trace-of-p-1-01"
        }

        test("a failed send stops its Observation with the error and error.type; a no-op registry observes nothing") {
            val registry = TestObservationRegistry.create()
            kafka.createTopic("observed-too-large", partitions = 1)
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                maxRequestSize = 1024
                observation(registry)
            }.use { producer ->
                val failure = shouldThrow<ExecutionException> { producer.sendAsync("observed-too-large", "k", "x".repeat(4096)).get(30, TimeUnit.SECONDS) }
                failure.cause.shouldBeInstanceOf<RecordTooLargeException>()
            }
            TestObservationRegistryAssert
                .assertThat(registry)
                .hasSingleObservationThat()
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("error.type", RecordTooLargeException::class.java.name)
                .assertThatError()
                .isInstanceOf(RecordTooLargeException::class.java)

            val noop = ObservationRegistry.NOOP
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                observation(noop)
            }.use { producer -> producer.send(ProducerRecord("observed-too-large", "k", "small")).shouldNotBeNull() }
        }
    })
