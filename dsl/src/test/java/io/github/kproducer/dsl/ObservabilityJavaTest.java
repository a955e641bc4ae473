package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's metrics, listeners, tracing and context headers from Java, against the embedded broker. */
class ObservabilityJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final Tracer tracer = openTelemetry.getTracer("checkout-service");
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeOpenTelemetry() {
        openTelemetry.close();
    }

    @Test
    void metricsListenersTracingAndContextHeaders(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-traced-orders");
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch outcomes = new CountDownLatch(1);
        Span checkout = tracer.spanBuilder("checkout").startSpan();
        // region readme:java-observability
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .listener(new SendListener<>() {   // runs off Kafka's I/O thread, one outcome at a time
                    @Override
                    public void onSuccess(ProducerRecord<String, String> record, RecordMetadata metadata) {
                        heard.add("sent " + record.key());
                        outcomes.countDown();
                    }

                    @Override
                    public void onError(ProducerRecord<String, String> record, Exception e) {
                        heard.add("failed " + record.key());
                        outcomes.countDown();
                    }
                })
                .tracing(OpenTelemetryTracing.sendTracer(openTelemetry)) // a PRODUCER span per send, W3C traceparent header
                .copyContextHeaders(true)          // plain headers from the HeadersScope open on the sending thread
                .build();
                AutoCloseable meters = MicrometerMetrics.bindMetrics(producer, registry)) {   // KafkaClientMetrics + kproducer counters
            try (Scope current = checkout.makeCurrent();
                    HeadersScope headers = HeadersContext.open(Map.of("tenant", "acme"))) {
                producer.sendAsync("java-traced-orders", "order-1", "paid").get(30, TimeUnit.SECONDS); // a child span of checkout
            }
            assertThat(producer.metrics().getAcknowledged()).isEqualTo(1);       // also failed, inFlight + the client's rates
            assertThat(registry.get("kproducer.records.acknowledged").functionCounter().count()).isEqualTo(1.0);
        }
        // endregion
        checkout.end();
        assertThat(outcomes.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).containsExactly("sent order-1");
        assertThat(registry.find("kproducer.records.acknowledged").functionCounter()).as("closing the binding removes the meters").isNull();

        SpanData send = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.PRODUCER).findFirst().orElseThrow();
        assertThat(send.getName()).isEqualTo("send java-traced-orders");
        assertThat(send.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
        ConsumerRecord<String, String> read = kafka.readStrings("java-traced-orders", 1).get(0);
        assertThat(HeaderValues.string(read.headers(), "traceparent")).contains(checkout.getSpanContext().getTraceId()).contains(send.getSpanId());
        assertThat(HeaderValues.string(read.headers(), "tenant")).isEqualTo("acme");
    }

    @Test
    void aMicrometerObservationPerSendFromJava(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-observed-orders");
        io.micrometer.observation.tck.TestObservationRegistry observations = io.micrometer.observation.tck.TestObservationRegistry.create();
        // region readme:java-observation
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .tracing(MicrometerObservation.sendTracer(observations)) // one kproducer.send Observation per record; Micrometer Tracing writes the trace headers
                .build()) {
            producer.sendAsync("java-observed-orders", "o-1", "paid").get(30, TimeUnit.SECONDS);
        }
        // endregion
        io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasNameEqualTo("kproducer.send")
                .hasContextualNameEqualTo("send java-observed-orders")
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("messaging.destination.name", "java-observed-orders");
    }
}
