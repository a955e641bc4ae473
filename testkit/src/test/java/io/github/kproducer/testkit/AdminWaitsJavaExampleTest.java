package io.github.kproducer.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A topic created with a plain Admin call, produced to once its partitions serve. */
// region readme:admin-waits
@ExtendWith(EmbeddedKafkaJUnitExtension.class)
class AdminWaitsJavaExampleTest {
    @Test
    void produceOnceTheNewPartitionsServe(EmbeddedKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.connectionProperties())) {
            admin.createTopics(List.of(new NewTopic("payments", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            AdminWaits.awaitPartitionsServing(admin, List.of("payments"), Duration.ofSeconds(30));
        }
        // No retries: a partition that did not serve yet would fail the send.
        Map<String, Object> settings = new HashMap<>(kafka.connectionProperties());
        settings.put(ProducerConfig.RETRIES_CONFIG, 0);
        try (var producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 3; partition++) {
                assertThat(producer.send(new ProducerRecord<>("payments", partition, "p-1", "paid")).get().offset()).isZero();
            }
        }
    }
}
// endregion
