package io.github.kproducer.testkit.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
        Map<String, Object> config = new HashMap<>(kafka.connectionProperties());
        config.put(ProducerConfig.RETRIES_CONFIG, 0);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
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
        })) {
            assertEquals(0, faults.applied());
        }
    }

    @Test
    @Order(5)
    void aClusterWithoutTheProxySaysHowToTurnItOnInJavaToo() {
        try (EmbeddedKafka plain = EmbeddedKafka.start()) {
            IllegalStateException error = assertThrows(IllegalStateException.class, () -> plain.faults(f -> f.produce().drop()));
            assertEquals(true, error.getMessage().contains("config.faultProxy(true)"), error.getMessage());
            assertEquals(true, error.getMessage().contains("EmbeddedKafka { faultProxy = true }"), error.getMessage());
        }
    }
}
