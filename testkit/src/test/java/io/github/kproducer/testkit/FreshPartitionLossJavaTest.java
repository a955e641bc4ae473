package io.github.kproducer.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A JUnit test that loses records to KAFKA-15591 on the embedded broker fails with an AssertionError
 * naming it and the fix, its own exception as the cause; a test that fails for another reason keeps
 * its exception. The user's tests are {@link UsersTests}, run through JUnit's engine test kit.
 */
class FreshPartitionLossJavaTest {
    /** What a user might write: a raw producer sending to a new topic at once (the fault proxy makes its first request fail). */
    static class UsersTests {
        @RegisterExtension
        static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.faultProxy(true));

        @Test
        void losesRecords(EmbeddedKafka kafka) throws Exception {
            kafka.createTopic("loss-java");
            try (var faults = kafka.faults(f -> {
                f.produce("loss-java").respond(Errors.NOT_LEADER_OR_FOLLOWER, 1);
                f.latency(Duration.ofMillis(20));
            })) {
                Map<String, Object> settings = new HashMap<>(kafka.connectionProperties());
                settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
                settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 2048);
                settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
                settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000);
                try (var producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
                    List<Future<RecordMetadata>> sent = new ArrayList<>();
                    for (int i = 0; i < 2_000; i++) sent.add(producer.send(new ProducerRecord<>("loss-java", null, "" + i)));
                    sent.get(0).get(30, TimeUnit.SECONDS);
                }
            }
        }

        @Test
        void failsForAnotherReason(EmbeddedKafka kafka) {
            kafka.createTopic("no-loss-java");
            throw new IllegalStateException("nothing to do with Kafka");
        }
    }

    @Test
    void aLossOnAFreshPartitionIsNamedWithTheFixAndOtherFailuresAreLeftAlone() {
        var failed = EngineTestKit.engine("junit-jupiter")
                .selectors(DiscoverySelectors.selectClass(UsersTests.class))
                .execute()
                .testEvents()
                .failed();
        assertThat(failed.count()).isEqualTo(2);
        Map<String, Throwable> byTest = new HashMap<>();
        failed.stream().forEach(event -> byTest.put(
                event.getTestDescriptor().getDisplayName(),
                event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow()));

        Throwable loss = byTest.get("losesRecords(EmbeddedKafka)");
        assertThat(loss).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expiring")
                .hasMessageContaining("KAFKA-15591")
                .hasMessageContaining("createTopic")
                .hasMessageContaining("awaitPartitionsServing")
                .hasCauseInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(TimeoutException.class);

        assertThat(byTest.get("failsForAnotherReason(EmbeddedKafka)"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("nothing to do with Kafka");
    }
}
