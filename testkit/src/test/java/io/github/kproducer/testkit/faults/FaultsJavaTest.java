package io.github.kproducer.testkit.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.Map;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java form of faults, and the JUnit extension healing a scope a test left open. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(c -> c.faultProxy(true));

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        return producer(kafka, Map.of());
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(kafka.connectionProperties());
        config.put(ProducerConfig.RETRIES_CONFIG, 0);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.putAll(extra);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static double metric(KafkaProducer<String, String> producer, String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                .map(e -> (Double) e.getValue().metricValue())
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Order(1)
    void aJavaScopeAnswersWithTheErrorAndCountsWhatItDid(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-faults");
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            producer.partitionsFor("java-faults");
            // region readme:faults
            // producer: a KafkaProducer with retries = 0, so the error answer reaches the caller
            try (Faults faults = kafka.faults(f -> {
                f.produce("java-faults").respond(Errors.NOT_ENOUGH_REPLICAS, 1);
                f.latency(Duration.ofMillis(5), Duration.ofMillis(1)); // to the broker, to the client
            })) {
                ExecutionException error = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>("java-faults", "k", "v")).get(30, TimeUnit.SECONDS));
                assertEquals(NotEnoughReplicasException.class, error.getCause().getClass());
                assertEquals(1, faults.applied(ApiKeys.PRODUCE));
                producer.send(new ProducerRecord<>("java-faults", "k", "v")).get(30, TimeUnit.SECONDS);
            }
            // endregion
        }
    }

    @Test
    @Order(2)
    void aScopeLeftOpen(EmbeddedKafka kafka) {
        kafka.createTopic("java-left-open");
        kafka.faults(f -> f.produce("java-left-open").respond(Errors.NOT_ENOUGH_REPLICAS));
    }

    @Test
    @Order(3)
    void isHealedByTheExtensionAfterItsTest(EmbeddedKafka kafka) throws Exception {
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            producer.send(new ProducerRecord<>("java-left-open", "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(4)
    void everySelectorHasANamedJavaForm(EmbeddedKafka kafka) {
        try (Faults faults = kafka.faults(f -> {
            f.produce("a", 0, 1).drop(1);
            f.metadata("a").delay(Duration.ofMillis(1));
            f.initProducerId().respond(Errors.COORDINATOR_NOT_AVAILABLE, 1);
            f.addPartitionsToTxn("a", 0).respond(Errors.CONCURRENT_TRANSACTIONS, 1);
            f.addOffsetsToTxn(1).respond(Errors.COORDINATOR_LOAD_IN_PROGRESS, 1);
            f.txnOffsetCommit("a").respond(Errors.COORDINATOR_LOAD_IN_PROGRESS, 1);
            f.endTxn().drop(1);
            f.listOffsets("a", 0).respondForPartition(Errors.OFFSET_NOT_AVAILABLE, Duration.ofSeconds(1));
            f.requests(ApiKeys.METADATA, "a", 0).respondForPartition(Errors.LEADER_NOT_AVAILABLE, 1, 0.5);
            f.metadata().throttle(Duration.ofMillis(10), 1);
            f.apiVersions(1).versions(ApiKeys.FETCH, 4, 12).maxVersion(ApiKeys.PRODUCE, 9);
        })) {
            assertEquals(0, faults.applied());
            assertEquals(Set.of(), faults.requestVersions(ApiKeys.PRODUCE));
        }
    }

    @Test
    @Order(5)
    void oneFailedPartitionInJava(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-partition", 2);
        // A long linger, then flush(): one Produce request holds both partitions.
        try (KafkaProducer<String, String> producer = producer(kafka, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5_000))) {
            producer.partitionsFor("java-partition");
            // region readme:faults-partition
            try (Faults faults = kafka.faults(f -> f.produce("java-partition", 1).respondForPartition(Errors.NOT_ENOUGH_REPLICAS, 1))) {
                Future<RecordMetadata> kept = producer.send(new ProducerRecord<>("java-partition", 0, "k", "v"));
                Future<RecordMetadata> failed = producer.send(new ProducerRecord<>("java-partition", 1, "k", "v"));
                producer.flush();
                assertEquals(0L, kept.get(30, TimeUnit.SECONDS).offset());
                ExecutionException error = assertThrows(ExecutionException.class, () -> failed.get(30, TimeUnit.SECONDS));
                assertEquals(NotEnoughReplicasException.class, error.getCause().getClass());
                assertEquals(1L, faults.requests(ApiKeys.PRODUCE)); // both partitions in one request
            }
            // endregion
        }
        // The failed partition's record never reached the broker.
        assertEquals(java.util.List.of(0), kafka.readAllStrings("java-partition").stream().map(r -> r.partition()).toList());
    }

    @Test
    @Order(6)
    void aThrottledAnswerInJava(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-throttle");
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            producer.send(new ProducerRecord<>("java-throttle", "warm", "v")).get(30, TimeUnit.SECONDS);
            // region readme:faults-throttle
            try (Faults faults = kafka.faults(f -> f.produce("java-throttle").throttle(Duration.ofMillis(500), 1))) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>("java-throttle", "throttled", "v")).get(30, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>("java-throttle", "behind", "v")).get(30, TimeUnit.SECONDS);
                // the client sent the second only once the first answer's throttle had passed
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 450);
                assertEquals(500.0, metric(producer, "produce-throttle-time-max"));
            }
            // endregion
        }
    }

    @Test
    @Order(7)
    void narrowedApiVersionsInJava(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-versions");
        // region readme:faults-versions
        try (Faults faults = kafka.faults(f -> f.apiVersions().maxVersion(ApiKeys.PRODUCE, 8))) {
            try (KafkaProducer<String, String> producer = producer(kafka)) { // connects inside the scope
                producer.send(new ProducerRecord<>("java-versions", "k", "v")).get(30, TimeUnit.SECONDS);
            }
            assertEquals(Set.of((short) 8), faults.requestVersions(ApiKeys.PRODUCE));
        }
        // endregion
    }

    @Test
    @Order(8)
    void invalidAnswerFaultsAreNamedInJava(EmbeddedKafka kafka) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> kafka.faults(f -> {
            f.produce().throttle(Duration.ofMillis(-1));
            f.apiVersions().versions(ApiKeys.PRODUCE, 4, 3);
            f.produce("a").respondForPartition(Errors.NOT_ENOUGH_REPLICAS);
        }));
        assertTrue(error.getMessage().contains("throttle must be at least 1 ms"), error.getMessage());
        assertTrue(error.getMessage().contains("Produce versions 4..3 are an empty range"), error.getMessage());
        assertTrue(error.getMessage().contains("respondForPartition needs the partition it fails"), error.getMessage());
    }

    @Test
    @Order(9)
    void aClusterWithoutTheProxySaysHowToTurnItOnInJavaToo() {
        try (EmbeddedKafka plain = EmbeddedKafka.start()) {
            IllegalStateException error = assertThrows(IllegalStateException.class, () -> plain.faults(f -> f.produce().drop()));
            assertEquals(true, error.getMessage().contains("config.faultProxy(true)"), error.getMessage());
            assertEquals(true, error.getMessage().contains("EmbeddedKafka { faultProxy = true }"), error.getMessage());
        }
    }
}
