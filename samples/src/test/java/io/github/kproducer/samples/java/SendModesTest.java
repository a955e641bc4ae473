package io.github.kproducer.samples.java;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import org.assertj.core.api.Assertions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Study note 001's programs in Java: the missing-setting error, {@code WORLD} to {@code test}, and the
 * three send modes of the {@code CustomerCountry} records, read back from the broker.
 */
class SendModesTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(3));

    @Test
    void everySendModeReachesTheBrokerAndTheMissingSettingIsNamed(EmbeddedKafka kafka) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        RecordMetadata synchronous;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            synchronous = SendModes.run(kafka.getBootstrapServers());
        } finally {
            System.setOut(out);
        }

        // Fire-and-forget, synchronous and asynchronous: all three arrive, one key in one partition.
        List<ConsumerRecord<String, String>> customers =
                kafka.readAllStrings("CustomerCountry", IsolationLevel.READ_UNCOMMITTED);
        assertThat(customers)
                .hasSize(3)
                .keepsEachKeyInOnePartition()
                .preservesOrderPerKey(List.of(
                        new ProducerRecord<>("CustomerCountry", "Precision Products", "France"),
                        new ProducerRecord<>("CustomerCountry", "Precision Products", "France"),
                        new ProducerRecord<>("CustomerCountry", "Biomedical Materials", "USA")));
        assertThat(synchronous).hasTopic("CustomerCountry");
        ConsumerRecord<String, String> atSynchronousOffset = customers.stream()
                .filter(r -> r.partition() == synchronous.partition() && r.offset() == synchronous.offset())
                .findFirst()
                .orElseThrow();
        assertThat(atSynchronousOffset).hasKey("Precision Products").hasValue("France");

        // Study note 001's keyless WORLD.
        List<ConsumerRecord<String, String>> world =
                kafka.readAllStrings("test", IsolationLevel.READ_UNCOMMITTED);
        assertThat(world).hasSize(1);
        assertThat(world.get(0)).hasKey(null).hasValue("WORLD");

        Assertions.assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("Missing setting: bootstrapServers is not set")
                .contains("Sent - Topic: CustomerCountry, Partition: " + synchronous.partition() + ", Offset: " + synchronous.offset());
    }
}
