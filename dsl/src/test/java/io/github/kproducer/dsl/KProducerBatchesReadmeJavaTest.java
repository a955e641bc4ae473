package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's batches from Java: sendAllAsync fails fast, sendAllSettledAsync has an outcome for every record. */
class KProducerBatchesReadmeJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    private final List<String> deadLettered = new ArrayList<>();

    private void deadLetter(ProducerRecord<String, String> record, Exception e) {
        deadLettered.add(record.key() + ": " + e.getClass().getSimpleName());
    }

    @Test
    void sendAllAsyncAndSendAllSettledAsync(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-batches");
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .maxRequestSize(1024)
                .build()) {
            String tooLarge = "x".repeat(2048);
            // region readme:java-batches
            List<ProducerRecord<String, String>> orders = List.of(
                    new ProducerRecord<>("java-batches", "order-1", "paid"),
                    new ProducerRecord<>("java-batches", "order-2", "shipped"));
            List<RecordMetadata> metadata = producer.sendAllAsync(orders).get(30, TimeUnit.SECONDS); // fail-fast; metadata in input order

            List<ProducerRecord<String, String>> mixed = List.of(
                    new ProducerRecord<>("java-batches", "order-3", "paid"),
                    new ProducerRecord<>("java-batches", "order-4", tooLarge)); // over maxRequestSize
            for (SendResult<String, String> result : producer.sendAllSettledAsync(mixed).get(30, TimeUnit.SECONDS)) { // every record
                if (!result.isSuccess()) deadLetter(result.getRecord(), result.getException());
            }
            // endregion
            assertThat(metadata).extracting(RecordMetadata::offset).containsExactly(0L, 1L);
        }
        assertThat(deadLettered).containsExactly("order-4: " + RecordTooLargeException.class.getSimpleName());
        assertThat(kafka.readStrings("java-batches", 3))
                .extracting(ConsumerRecord::key)
                .containsExactly("order-1", "order-2", "order-3");
    }
}
