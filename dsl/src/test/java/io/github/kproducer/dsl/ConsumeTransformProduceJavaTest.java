package io.github.kproducer.dsl;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The exactly-once loop from Java: started, stopped by closing its handle, and failing through its completion. */
class ConsumeTransformProduceJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String group, String topic) {
        Map<String, Object> properties = new java.util.HashMap<>(kafka.connectionProperties());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    static KProducer<String, String> transactional(EmbeddedKafka kafka, String transactionalId) {
        return KProducer.builder(new StringSerializer(), new StringSerializer())
                .bootstrapServers(kafka.getBootstrapServers())
                .transactionalId(transactionalId)
                .build();
    }

    static void input(EmbeddedKafka kafka, String topic, List<String> values) throws Exception {
        kafka.createTopic(topic);
        try (KProducer<String, String> producer = KProducer.builder(new StringSerializer(), new StringSerializer())
                .bootstrapServers(kafka.getBootstrapServers())
                .build()) {
            for (String value : values) producer.sendAsync(topic, "o-1", value).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyInputIsTransformedOnceAndClosingTheLoopFreesTheConsumer(EmbeddedKafka kafka) throws Exception {
        input(kafka, "eos-java-in", List.of("created", "paid", "shipped"));
        kafka.createTopic("orders-enriched");
        Consumer<String, String> consumer = consumer(kafka, "eos-java", "eos-java-in");
        try (KProducer<String, String> producer = transactional(kafka, "eos-java-1")) {
            // region readme:java-exactly-once
            try (ConsumeTransformProduceLoop loop = ConsumeTransformProduce.startConsumeTransformProduce(producer, consumer,
                    record -> List.of(new ProducerRecord<>("orders-enriched", record.key(), record.value().toUpperCase())))) {
                // Each poll's outputs and the consumer's next offsets commit in one transaction, until the loop is closed.
                assertThat(kafka.readStrings("orders-enriched", 3, IsolationLevel.READ_COMMITTED))
                        .extracting(r -> r.value())
                        .containsExactly("CREATED", "PAID", "SHIPPED");
            }
            // Closed: the loop has ended, so the consumer is free again.
            // endregion
        }
        assertThat(consumer.committed(java.util.Set.of(new TopicPartition("eos-java-in", 0))).get(new TopicPartition("eos-java-in", 0)).offset())
                .isEqualTo(3L);
        consumer.close(Duration.ofSeconds(5));
    }

    @Test
    void aFailedTransactionEndsTheLoopAndItsCompletionCarriesTheException(EmbeddedKafka kafka) throws Exception {
        input(kafka, "eos-java-bad-in", List.of("created", "poison"));
        kafka.createTopic("eos-java-bad-out");
        try (Consumer<String, String> consumer = consumer(kafka, "eos-java-bad", "eos-java-bad-in");
                KProducer<String, String> producer = transactional(kafka, "eos-java-bad-1");
                ConsumeTransformProduceLoop loop = ConsumeTransformProduce.startConsumeTransformProduce(producer, consumer, record -> {
                    if (record.value().equals("poison")) throw new IllegalArgumentException("cannot enrich " + record.value());
                    return List.of(new ProducerRecord<>("eos-java-bad-out", record.key(), record.value()));
                })) {
            assertThatThrownBy(() -> loop.completion().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasRootCauseMessage("cannot enrich poison");
            assertThat(loop.close(Duration.ofSeconds(5))).isTrue();
        }
        // The failed poll's transaction was aborted: what a read_committed reader sees is exactly the output of the
        // input offsets the group committed (none or "created", depending on how the polls split), never "poison"'s poll.
        long committed;
        try (var admin = kafka.admin()) {
            var offset = admin.listConsumerGroupOffsets("eos-java-bad").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition("eos-java-bad-in", 0));
            committed = offset == null ? 0 : offset.offset();
        }
        assertThat(committed).isLessThan(2);
        assertThat(kafka.readAllStrings("eos-java-bad-out", IsolationLevel.READ_COMMITTED)).hasSize((int) committed);
    }

    @Test
    void closeIsIdempotentAndANegativeTimeoutIsRefused(EmbeddedKafka kafka) throws Exception {
        input(kafka, "eos-java-idle-in", List.of("created"));
        try (Consumer<String, String> consumer = consumer(kafka, "eos-java-idle", "eos-java-idle-in");
                KProducer<String, String> producer = transactional(kafka, "eos-java-idle-1")) {
            ConsumeTransformProduceLoop loop = ConsumeTransformProduce.startConsumeTransformProduce(producer, consumer, record -> List.of());
            assertThatThrownBy(() -> loop.close(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("close(timeout)");
            loop.close();
            loop.close();
            assertThat(loop.completion()).isCompleted();
        }
    }
}
