package io.github.kproducer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedKafkaJUnitExtensionTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA =
            EmbeddedKafkaJUnitExtension.create(b -> b.defaultPartitions(3));

    @Test
    void javaTestProducesToTheExtensionsBrokerAndReadsBack(EmbeddedKafka kafka) throws Exception {
        assertTrue(kafka == KAFKA.getKafka());
        kafka.createTopic("java-topic", 3);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new StringSerializer())) {
            RecordMetadata metadata = producer.send(new ProducerRecord<>("java-topic", "key", "value")).get();
            assertEquals("java-topic", metadata.topic());
        }
        List<ConsumerRecord<String, String>> records = kafka.readStrings("java-topic", 1);
        assertEquals("value", records.get(0).value());

        List<ConsumerRecord<String, String>> viaPredicate = kafka.read(
                "java-topic", new StringDeserializer(), new StringDeserializer(),
                Duration.ofSeconds(30), IsolationLevel.READ_UNCOMMITTED, rs -> !rs.isEmpty());
        assertEquals("key", viaPredicate.get(0).key());
    }

    @Test
    void autoCreatedTopicsGetTheConfiguredPartitionCount(KafkaCluster cluster) throws Exception {
        try (var producer = new KafkaProducer<>(cluster.connectionProperties(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("auto-created", "v")).get();
            assertEquals(3, producer.partitionsFor("auto-created").size());
        }
    }

    @Test
    void javaCallersGetTheSameValidation() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedKafka.start(b -> b.brokers(0)));
        assertTrue(error.getMessage().contains("brokers must be between 1 and 9"));

        EmbeddedKafkaConfig config = EmbeddedKafkaSettings.builder();
        config.brokers(EmbeddedKafkaSettings.MAX_BROKERS + 1);
        IllegalArgumentException built = assertThrows(IllegalArgumentException.class, config::build);
        assertTrue(built.getMessage().contains("brokers must be between 1 and 9, was 10"));
        assertEquals(1, EmbeddedKafkaSettings.defaults().getBrokers());
    }

    @Test
    void javaCallersConfigureUsersAndAclsAndGrantProducing() throws Exception {
        try (EmbeddedKafka secured = EmbeddedKafka.start(b -> b.saslUser("alice", "alice-pw").acls(true))) {
            secured.createTopic("java-secured");
            secured.allowProducing("alice", "java-secured");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    secured.connectionProperties("alice", "SCRAM-SHA-512"), new StringSerializer(), new StringSerializer())) {
                assertEquals("java-secured", producer.send(new ProducerRecord<>("java-secured", "k", "v")).get().topic());
            }
            assertEquals(List.of("alice"), secured.getSettings().getSaslUsers());
            assertTrue(secured.connectionProperties("alice").toString().contains("[hidden]"));
        }
    }
}
