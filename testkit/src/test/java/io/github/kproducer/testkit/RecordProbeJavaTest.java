package io.github.kproducer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RecordProbeJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(b -> { });

    @Test
    void aProbeSeesOnlyTheRecordsProducedAfterItWasCreated(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-probe");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("java-probe", "before", "v")).get();
            // region readme:probe
            try (RecordProbe<String, String> probe = KafkaClusterProbes.probeStrings(kafka, "java-probe")) {
                producer.send(new ProducerRecord<>("java-probe", "o-1", "v")).get();
                List<ConsumerRecord<String, String>> records = probe.awaitRecords(1, Duration.ofSeconds(30));
                assertEquals("o-1", records.get(0).key());
                probe.expectNoRecords(Duration.ofMillis(300));
                producer.send(new ProducerRecord<>("java-probe", "o-2", "v")).get();
                AssertionError error = assertThrows(AssertionError.class, () -> probe.expectNoRecords(Duration.ofSeconds(20)));
                assertTrue(error.getMessage().contains("o-2"), error.getMessage());
            }
            // endregion
        }
    }
}
