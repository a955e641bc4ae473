package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.maps.shouldContainAll
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.opentelemetry.api.trace.SpanKind
import io.opentelemetry.api.trace.StatusCode
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator
import io.opentelemetry.context.propagation.ContextPropagators
import io.opentelemetry.context.propagation.TextMapGetter
import io.opentelemetry.extension.kotlin.asContextElement
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry
import io.opentelemetry.sdk.OpenTelemetrySdk
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter
import io.opentelemetry.sdk.trace.SdkTracerProvider
import io.opentelemetry.sdk.trace.data.SpanData
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.header.Headers
import org.apache.kafka.common.serialization.Serializer
import org.apache.kafka.common.serialization.StringDeserializer
import org.apache.kafka.common.serialization.StringSerializer
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * `tracing(openTelemetry)` against the embedded broker, with OpenTelemetry's SDK and its in-memory
 * exporter: parent and child spans linked across the broker, and the same span shape as
 * OpenTelemetry's own Kafka instrumentation makes for the same send.
 */
class OpenTelemetryTracingSpec :
    FunSpec({
        // Topics exist only when a test creates them, so that a send to a missing one waits for its metadata.
        val kafka = install(EmbeddedKafkaExtension()) { autoCreateTopics = false }
        val exporter = InMemorySpanExporter.create()
        val otel =
            OpenTelemetrySdk
                .builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build()
        val tracer = otel.getTracer("checkout-service")
        beforeTest { exporter.reset() }
        afterSpec { otel.close() }

        fun producerSpans(): List<SpanData> = exporter.finishedSpanItems.filter { it.kind == SpanKind.PRODUCER }

        fun SpanData.attribute(name: String): Any? =
            attributes
                .asMap()
                .entries
                .firstOrNull { it.key.key == name }
                ?.value

        fun tracedProducer(clientId: String) =
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                this.clientId = clientId
                tracing(otel)
            }

        /** Reads [count] records of [topic] from the start through OpenTelemetry's own Kafka consumer instrumentation. */
        fun readThroughOpenTelemetry(
            topic: String,
            count: Int,
        ) {
            val consumer =
                KafkaConsumer(
                    kafka.connectionProperties() + mapOf(ConsumerConfig.GROUP_ID_CONFIG to "$topic-reader"),
                    StringDeserializer(),
                    StringDeserializer(),
                )
            KafkaTelemetry.builder(otel).setMessagingReceiveTelemetryEnabled(true).build().wrap(consumer).use { wrapped ->
                val partition = TopicPartition(topic, 0)
                wrapped.assign(listOf(partition))
                wrapped.seekToBeginning(listOf(partition))
                var read = 0
                val deadline = System.nanoTime() + 30.seconds.inWholeNanoseconds
                while (read < count && System.nanoTime() < deadline) {
                    // Iterating is what makes the instrumentation record a process span per record.
                    wrapped.poll(Duration.ofMillis(100)).forEach { _ -> read++ }
                }
                read shouldBe count
            }
        }

        test(
            "a send inside a span: a child PRODUCER span with the messaging attributes, its traceparent in the record, continued by OpenTelemetry's consumer instrumentation",
        ) {
            kafka.createTopic("otel-orders")
            val checkout = tracer.spanBuilder("checkout").startSpan()
            val metadata =
                tracedProducer("checkout-producer").use { producer ->
                    withContext(checkout.asContextElement()) { producer.send("otel-orders", "o-1", "paid") }
                }
            checkout.end()

            val span = producerSpans().single()
            span.name shouldBe "send otel-orders"
            span.traceId shouldBe checkout.spanContext.traceId
            span.parentSpanId shouldBe checkout.spanContext.spanId
            span.instrumentationScopeInfo.name shouldBe "io.github.kproducer.dsl"
            span.attributes.asMap().mapKeys { it.key.key } shouldContainAll
                mapOf(
                    "messaging.system" to "kafka",
                    "messaging.operation.name" to "send",
                    "messaging.operation.type" to "send",
                    "messaging.destination.name" to "otel-orders",
                    "messaging.client.id" to "checkout-producer",
                    "messaging.destination.partition.id" to metadata.partition().toString(),
                    "messaging.kafka.offset" to metadata.offset(),
                )
            span.status.statusCode shouldBe StatusCode.UNSET

            val record = kafka.readStrings("otel-orders", 1).single()
            record.headers().headers("traceparent").map { String(it.value()) } shouldBe
                listOf("00-${span.traceId}-${span.spanId}-${span.spanContext.traceFlags.asHex()}")

            // The consumer side, with OpenTelemetry's own library: its process span links to our producer span.
            exporter.reset()
            readThroughOpenTelemetry("otel-orders", 1)
            val process = exporter.finishedSpanItems.single { it.kind == SpanKind.CONSUMER && it.attribute("messaging.operation") == "process" }
            process.links.map { it.spanContext.traceId to it.spanContext.spanId } shouldBe listOf(span.traceId to span.spanId)

            // A consumer that continues the trace itself (extract, then a child span) is a child of the producer span.
            val extracted =
                otel.propagators.textMapPropagator.extract(
                    io.opentelemetry.context.Context
                        .root(),
                    record.headers(),
                    HeadersGetter,
                )
            val handle = tracer.spanBuilder("handle order").setParent(extracted).startSpan()
            handle.end()
            val child = exporter.finishedSpanItems.single { it.name == "handle order" }
            child.traceId shouldBe checkout.spanContext.traceId
            child.parentSpanId shouldBe span.spanId
        }

        test("the same send through OpenTelemetry's own producer instrumentation: the same kind, system, destination, partition and offset") {
            kafka.createTopic("otel-same")
            val raw =
                KafkaProducer(
                    kafka.connectionProperties() + mapOf(ProducerConfig.CLIENT_ID_CONFIG to "theirs"),
                    StringSerializer(),
                    StringSerializer(),
                )
            KafkaTelemetry.create(otel).wrap(raw).use { it.send(ProducerRecord("otel-same", "k", "v")).get(30, TimeUnit.SECONDS) }
            tracedProducer("ours").use { it.send("otel-same", "k", "v") }
            val (theirs, ours) =
                producerSpans().partition { it.instrumentationScopeInfo.name != "io.github.kproducer.dsl" }.let {
                    it.first.single() to
                        it.second.single()
                }
            ours.kind shouldBe theirs.kind
            for (key in listOf("messaging.system", "messaging.destination.name", "messaging.destination.partition.id")) {
                ours.attribute(key) shouldBe theirs.attribute(key)
            }
            // The offsets follow each other: theirs went first. Their 2.x library still uses the pre-1.27 names
            // (`<topic> publish`, messaging.operation, messaging.client_id, messaging.kafka.message.offset); we use the current ones.
            ours.attribute("messaging.kafka.offset") shouldBe (theirs.attribute("messaging.kafka.message.offset") as Long) + 1
            theirs.name shouldBe "otel-same publish"
            ours.name shouldBe "send otel-same"
        }

        test("sendAsync and offer, the Java forms, take the thread's current context; a send outside any span starts a trace") {
            kafka.createTopic("otel-java")
            val request = tracer.spanBuilder("request").startSpan()
            tracedProducer("otel-java").use { producer ->
                val future: CompletableFuture<*> = request.makeCurrent().use { producer.sendAsync(ProducerRecord("otel-java", "a", "1")) }
                future.await()
                request.makeCurrent().use { producer.offer(ProducerRecord("otel-java", "b", "2")) }
                producer.flush()
                producer.send("otel-java", "c", "3")
            }
            request.end()
            val spans = producerSpans().sortedBy { it.attribute("messaging.kafka.offset") as Long }
            spans shouldHaveSize 3
            spans.take(2).forEach {
                it.traceId shouldBe request.spanContext.traceId
                it.parentSpanId shouldBe request.spanContext.spanId
            }
            spans[2].parentSpanId shouldBe "0000000000000000"
            spans[2].traceId shouldNotBe request.spanContext.traceId
        }

        test("a failed send ends its span with ERROR, error.type and the exception; a record sent twice keeps one traceparent") {
            kafka.createTopic("otel-fail")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                maxRequestSize = 1024
                tracing(otel)
            }.use { producer ->
                shouldThrow<RecordTooLargeException> { producer.send("otel-fail", "k", "x".repeat(2_000)) }
                val failed = producerSpans().single()
                failed.status.statusCode shouldBe StatusCode.ERROR
                failed.attribute("error.type") shouldBe RecordTooLargeException::class.java.name
                failed.events.map { it.name } shouldContain "exception"

                exporter.reset()
                val record = ProducerRecord<String, String>("otel-fail", "k", "small")
                record.headers().add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".toByteArray())
                producer.send(record)
                producer.send(record)
                producerSpans() shouldHaveSize 2
                val first = producerSpans().first()
                record.headers().headers("traceparent").map { String(it.value()) } shouldBe
                    listOf("00-${first.traceId}-${first.spanId}-${first.spanContext.traceFlags.asHex()}")
            }
        }

        test("a send Kafka throws for (a serializer's failure) ends its span with ERROR too") {
            kafka.createTopic("otel-throws")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                valueSerializer(Serializer<String> { _, _ -> throw SerializationException("no bytes for this value") })
                tracing(otel)
            }.use { producer ->
                producer.producer.partitionsFor("otel-throws")
                shouldThrow<SerializationException> { producer.send("otel-throws", "k", "v") }
                val span = producerSpans().single()
                span.status.statusCode shouldBe StatusCode.ERROR
                span.attribute("error.type") shouldBe SerializationException::class.java.name
            }
        }

        test("a send its cancelled caller took back before it reached Kafka ends its span as cancelled; every span ends") {
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                maxBlock = 1.seconds
                tracing(otel)
            }.use { producer ->
                withTimeout(10.seconds) {
                    coroutineScope {
                        // No such topic: the lane's worker waits for its metadata with the first record; the second queues behind it.
                        producer.offer(ProducerRecord("otel-no-such-topic", "a", "first"))
                        val send = async(start = CoroutineStart.UNDISPATCHED) { producer.send("otel-no-such-topic", "b", "second") }
                        delay(100.milliseconds)
                        send.cancel()
                    }
                }
                val cancelled = producerSpans().single()
                cancelled.attribute("error.type") shouldBe "cancelled"
                cancelled.status.statusCode shouldBe StatusCode.ERROR
                cancelled.status.description shouldContain "not sent"
            }
            // The first record ran out of maxBlock waiting for a topic that never came: its span ended with Kafka's exception.
            val spans = producerSpans()
            spans shouldHaveSize 2
            spans.single { it.attribute("error.type") != "cancelled" }.attribute("error.type") shouldBe TimeoutException::class.java.name
        }

        test("without tracing, no span and no traceparent; the Java builder's tracing(...) traces") {
            kafka.createTopic("otel-off")
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { it.send("otel-off", "k", "untraced") }
            KProducer
                .builder(StringSerializer(), StringSerializer())
                .bootstrapServers(kafka.bootstrapServers)
                .tracing(sendTracer(otel))
                .build()
                .use { it.send("otel-off", "k", "traced") }
            val records = kafka.readStrings("otel-off", 2).associateBy { it.value() }
            records
                .getValue("untraced")
                .headers()
                .toList()
                .shouldBeEmpty()
            val span = producerSpans().single()
            span.attribute("messaging.kafka.offset") shouldBe records.getValue("traced").offset()
            records
                .getValue("traced")
                .headers()
                .lastHeader("traceparent")
                .shouldNotBeNull()
        }
    })

/** Reads propagation headers of a consumed record, as a consumer's instrumentation does. */
private object HeadersGetter : TextMapGetter<Headers> {
    override fun keys(carrier: Headers): Iterable<String> = carrier.map { it.key() }

    override fun get(
        carrier: Headers?,
        key: String,
    ): String? = carrier?.lastHeader(key)?.value()?.let { String(it) }
}
