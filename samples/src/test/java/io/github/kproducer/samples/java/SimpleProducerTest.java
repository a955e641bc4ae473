package io.github.kproducer.samples.java;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import org.assertj.core.api.Assertions;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Study note 004's {@code SimpleProducer} in Java: its one record, read back from the broker. */
class SimpleProducerTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> {});

    @Test
    void sendsOneKeylessHelloWorldRecordAndReturnsWhereItLanded(EmbeddedKafka kafka) throws Exception {
        RecordMetadata metadata = SimpleProducer.run(kafka.getBootstrapServers());

        List<ConsumerRecord<String, String>> records = kafka.readStrings(SimpleProducer.TOPIC, 1);
        assertThat(records).hasSize(1).allOnTopic(SimpleProducer.TOPIC).hasNoDuplicates();
        ConsumerRecord<String, String> record = records.get(0);
        assertThat(record).hasKey(null).hasPartition(metadata.partition()).hasOffset(metadata.offset()).hasTimestamp(metadata.timestamp());
        Assertions.assertThat(record.value()).matches("hello world \\d{1,3}");
        assertThat(metadata).hasTopic(SimpleProducer.TOPIC);
    }
}
