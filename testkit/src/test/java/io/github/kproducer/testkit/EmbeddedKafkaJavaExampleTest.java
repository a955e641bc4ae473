package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The READMEs' first Java test: one broker for the class, a producer, and the records read back. */
// region readme:embedded-broker
class EmbeddedKafkaJavaExampleTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(3));

    @Test
    void ordersReachTheBroker(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("orders", 3);
        try (var producer = new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("orders", "o-1", "created")).get();
            producer.send(new ProducerRecord<>("orders", "o-1", "paid")).get();
        }
        assertThat(kafka.readStrings("orders", 2))
                .hasSize(2)
                .containsRecord(t -> t.value("paid"))
                .keepsEachKeyInOnePartition();
    }
}
// endregion
