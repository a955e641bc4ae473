package io.github.kproducer.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.MockKafkaProducer;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Java wraps an existing producer with the same options Kotlin's {@code asKProducer { }} sets. */
class KProducerWrapJavaTest {

    @Test
    void javaSetsTheErrorHandlerAndListenersOfAWrappedProducer() throws Exception {
        MockKafkaProducer<String, String> mock = MockKafkaProducer.create(new StringSerializer(), new StringSerializer());
        mock.failOnAttempt(2, new NotEnoughReplicasException("second"));
        List<String> failed = new CopyOnWriteArrayList<>();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        try (KProducer<String, String> producer = KProducer.wrap(mock, options -> {
            options.onError((record, e) -> failed.add(record.value() + ": " + e.getMessage()));
            options.listener(new SendListener<>() {
                @Override
                public void onSuccess(ProducerRecord<String, String> record, RecordMetadata metadata) {
                    outcomes.add("ok " + record.value());
                }

                @Override
                public void onError(ProducerRecord<String, String> record, Exception exception) {
                    outcomes.add("failed " + record.value());
                }
            });
            options.closeTimeout(Duration.ofSeconds(5));
        })) {
            producer.offer(new ProducerRecord<>("t", "k", "first"));
            producer.offer(new ProducerRecord<>("t", "k", "second"));
            producer.flushAsync().get();
        }
        // Kafka's message first, then the DSL's explanation of NOT_ENOUGH_REPLICAS.
        assertEquals(1, failed.size(), failed.toString());
        assertTrue(failed.get(0).startsWith("second: second Topic 't' has fewer in-sync replicas than its min.insync.replicas"), failed.get(0));
        assertEquals(List.of("ok first", "failed second"), outcomes);
        assertTrue(mock.isClosed());
    }

    @Test
    void javaTracesTheSendsOfAWrappedProducerAndChainsTheOptions() throws Exception {
        MockKafkaProducer<String, String> mock = MockKafkaProducer.create(new StringSerializer(), new StringSerializer());
        TestObservationRegistry observations = TestObservationRegistry.create();
        // The options' setters return the options, as the builder's return the builder.
        try (KProducer<String, String> producer = KProducer.wrap(mock, options -> options
                .tracing(MicrometerObservation.sendTracer(observations))
                .maxInFlightRecords(100)
                .closeTimeout(Duration.ofSeconds(5)))) {
            producer.sendAsync(new ProducerRecord<>("wrapped-orders", "k", "paid")).get(30, TimeUnit.SECONDS);
        }
        TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasNameEqualTo("kproducer.send")
                .hasContextualNameEqualTo("send wrapped-orders")
                .hasBeenStopped();
    }

    @Test
    void javaIsToldOfEveryInvalidOptionOfAWrappedProducer() {
        MockKafkaProducer<String, String> mock = MockKafkaProducer.create(new StringSerializer(), new StringSerializer());
        KProducerConfigException error = assertThrows(KProducerConfigException.class, () -> KProducer.wrap(mock, options -> {
            options.maxInFlightRecords(0);
            options.closeTimeout(Duration.ofSeconds(-1));
        }));
        assertEquals(List.of(".closeTimeout(...) must not be negative, was PT-1S", ".maxInFlightRecords(...) must be at least 1, was 0"),
                error.getProblems());
    }
}
