package io.github.kproducer.samples.java;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import org.assertj.core.api.Assertions;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Study note 004's {@code KafkaProducerExample} in Java: ten Integer values under {@code key-0..key-9},
 * written by {@link CustomIntegerSerializer} and read back with Kafka's own {@link IntegerDeserializer}.
 */
class KafkaProducerExampleTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(3));

    @Test
    void sendsTenIntegersThatKafkasOwnDeserializerReadsBack(EmbeddedKafka kafka) throws Exception {
        List<RecordMetadata> metadata = KafkaProducerExample.run(kafka.getBootstrapServers());

        List<ConsumerRecord<String, Integer>> records = kafka.read(KafkaProducerExample.TOPIC, 10, new StringDeserializer(), new IntegerDeserializer(), Duration.ofSeconds(30));
        List<ProducerRecord<String, Integer>> sent = IntStream.range(0, 10)
                .mapToObj(i -> new ProducerRecord<>(KafkaProducerExample.TOPIC, "key-" + i, i))
                .toList();
        assertThat(records)
                .hasSize(10)
                .allOnTopic(KafkaProducerExample.TOPIC)
                .keepsEachKeyInOnePartition()
                .preservesOrderPerKey(sent)
                .hasNoDuplicates();
        for (int i = 0; i < 10; i++) {
            int value = i;
            assertThat(records).containsRecord(t -> {
                t.key("key-" + value);
                t.value(value);
            });
        }
        // The metadata it returns is where each record landed, in the order sent.
        Assertions.assertThat(metadata).hasSize(10);
        for (int i = 0; i < 10; i++) {
            RecordMetadata landed = metadata.get(i);
            ConsumerRecord<String, Integer> read = records.stream()
                    .filter(r -> r.partition() == landed.partition() && r.offset() == landed.offset())
                    .findFirst()
                    .orElseThrow();
            assertThat(read).hasKey("key-" + i).hasValue(i);
        }
    }
}
