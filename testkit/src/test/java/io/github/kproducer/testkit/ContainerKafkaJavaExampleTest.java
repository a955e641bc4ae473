package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * testkit/README.md's Java example of the two backends behind {@link KafkaCluster}: one test body,
 * run on {@link EmbeddedKafka} and, where a Docker engine runs, on {@link ContainerKafka}.
 */
class ContainerKafkaJavaExampleTest {

    // region readme:container
    static void ordersRoundTrip(KafkaCluster kafka) throws Exception {
        kafka.createTopic("orders", 3);
        try (var producer = new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("orders", "o-1", "paid")).get();
        }
        assertThat(kafka.readStrings("orders", 1, Duration.ofSeconds(60))).hasSize(1).allOnTopic("orders");
    }

    @Test
    void inTheTestJvm() throws Exception {
        try (KafkaCluster kafka = EmbeddedKafka.start()) {
            ordersRoundTrip(kafka);
        }
    }

    @Test
    void inDocker() throws Exception {
        assumeTrue(ContainerKafka.isDockerAvailable(), "no Docker engine: the same body runs on EmbeddedKafka above");
        try (KafkaCluster kafka = ContainerKafka.start()) {
            ordersRoundTrip(kafka);
        }
    }
    // endregion
}
