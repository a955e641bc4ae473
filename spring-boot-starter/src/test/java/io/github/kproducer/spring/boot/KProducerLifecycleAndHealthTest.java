package io.github.kproducer.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.dsl.KProducer;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.faults.Faults;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * Meters, Observations, health and shutdown of the starter's producers in a Boot context, with the embedded broker
 * behind the test kit's fault proxy so that outages are real.
 */
class KProducerLifecycleAndHealthTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA =
            EmbeddedKafkaJUnitExtension.create(config -> config.faultProxy(true).defaultPartitions(1));

    private static ApplicationContextRunner runner(EmbeddedKafka kafka) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KProducerAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers());
    }

    @Test
    void theDefaultTestRunHasNoSpringKafkaOnItsClassPath() {
        assertThat(ClassUtils.isPresent("org.springframework.kafka.core.KafkaTemplate", null)).isFalse();
        assertThat(ClassUtils.isPresent("org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails", null)).isFalse();
    }

    @Test
    void metersAreBoundAndTaggedByBeanNameAndEverySendIsAnObservation(EmbeddedKafka kafka) {
        kafka.createTopic("boot-metered");
        TestObservationRegistry observations = TestObservationRegistry.create();
        runner(kafka)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(TestObservationRegistry.class, () -> observations)
                .withPropertyValues("kproducer.producers.audit.client-id=audit")
                .run(context -> {
                    @SuppressWarnings("unchecked")
                    KProducer<String, String> producer = context.getBean(KProducer.class);
                    producer.sendAsync("boot-metered", "k", "v").get(30, TimeUnit.SECONDS);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("kproducer.records.acknowledged").tag("spring.id", "kproducer").functionCounter().count())
                            .isEqualTo(1.0);
                    assertThat(registry.get("kproducer.records.acknowledged").tag("spring.id", "audit").functionCounter().count())
                            .isEqualTo(0.0);
                    assertThat(registry.find("kafka.producer.record.send.total").tag("spring.id", "kproducer").meters()).isNotEmpty();
                });
        TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasNameEqualTo("kproducer.send")
                .hasBeenStopped()
                .hasLowCardinalityKeyValue("messaging.destination.name", "boot-metered");
    }

    @Test
    void healthIsUpWhileRecordsAreAcknowledgedAndDownWhenTheyFailOrTheProducerIsClosed(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("boot-health");
        runner(kafka)
                .withPropertyValues(
                        "spring.kafka.producer.properties.delivery.timeout.ms=1500",
                        "spring.kafka.producer.properties.request.timeout.ms=1000",
                        "spring.kafka.producer.properties.linger.ms=0")
                .run(context -> {
                    HealthIndicator health = context.getBean("kproducerHealthIndicator", HealthIndicator.class);
                    @SuppressWarnings("unchecked")
                    KProducer<String, String> producer = context.getBean(KProducer.class);
                    producer.sendAsync("boot-health", "k", "v").get(30, TimeUnit.SECONDS);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    try (Faults ignored = kafka.faults(f -> f.requests(ApiKeys.PRODUCE).drop())) {
                        var failed = producer.sendAsync("boot-health", "k", "lost in the outage");
                        assertThat(failed).failsWithin(Duration.ofSeconds(30));
                    }
                    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.health().getDetails()).containsKey("kproducer");
                    producer.sendAsync("boot-health", "k", "after the outage").get(30, TimeUnit.SECONDS);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    producer.close();
                    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                });
    }

    @Test
    void closingTheContextDeliversWhatWasOffered(EmbeddedKafka kafka) {
        kafka.createTopic("boot-close");
        KProducer<?, ?>[] seen = new KProducer<?, ?>[1];
        runner(kafka).run(context -> {
            @SuppressWarnings("unchecked")
            KProducer<String, String> producer = context.getBean(KProducer.class);
            seen[0] = producer;
            for (int i = 0; i < 100; i++) producer.offer("boot-close", "k" + i, "v" + i);
        });
        assertThat(seen[0].isClosed()).isTrue();
        assertThat(kafka.readStrings("boot-close", 100)).hasSize(100);
    }

    @Test
    void closingTheContextDuringAnOutageEndsWithinBootsShutdownPhase(EmbeddedKafka kafka) {
        kafka.createTopic("boot-close-outage");
        long[] closeMillis = new long[1];
        try (Faults ignored = kafka.faults(f -> f.requests(ApiKeys.PRODUCE).drop())) {
            var context = new org.springframework.context.annotation.AnnotationConfigApplicationContext();
            org.springframework.boot.test.util.TestPropertyValues.of(
                            "spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers(),
                            "spring.lifecycle.timeout-per-shutdown-phase=2s")
                    .applyTo(context);
            context.register(KProducerAutoConfiguration.class);
            context.refresh();
            @SuppressWarnings("unchecked")
            KProducer<String, String> producer = context.getBean(KProducer.class);
            for (int i = 0; i < 10; i++) producer.offer("boot-close-outage", "k" + i, "v" + i);
            long start = System.nanoTime();
            context.close();
            closeMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(producer.isClosed()).isTrue();
        }
        // kproducer.close-timeout is 10 s by default and the DSL's own default 30 s: Boot's 2 s phase caps both.
        assertThat(closeMillis[0]).isLessThan(8_000);
    }

    @Test
    void anOpenTelemetryBeanWithoutMicrometerTracingTracesEverySend(EmbeddedKafka kafka) {
        kafka.createTopic("boot-traced");
        var spans = io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
        var openTelemetry = io.opentelemetry.sdk.OpenTelemetrySdk.builder()
                .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
                        .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(io.opentelemetry.context.propagation.ContextPropagators.create(
                        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()))
                .build();
        runner(kafka).withBean(io.opentelemetry.api.OpenTelemetry.class, () -> openTelemetry).run(context -> {
            @SuppressWarnings("unchecked")
            KProducer<String, String> producer = context.getBean(KProducer.class);
            producer.sendAsync("boot-traced", "k", "v").get(30, TimeUnit.SECONDS);
            // Read before the context closes: Spring shuts the OpenTelemetry bean down with it, which empties the exporter.
            assertThat(spans.getFinishedSpanItems())
                    .extracting(io.opentelemetry.sdk.trace.data.SpanData::getName)
                    .containsExactly("send boot-traced");
        });
        assertThat(kafka.readStrings("boot-traced", 1).get(0).headers().lastHeader("traceparent")).isNotNull();
        openTelemetry.close();
    }
}
