package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** testkit/README.md's Java reads: by count, with deserializers, until a condition, and up to the end. */
class ReadsJavaExamplesTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> {});

    @Test
    void theFourReads(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("orders", 3);
        kafka.createTopic("counts", 2);
        kafka.createTopic("payments");
        try (var producer = new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new StringSerializer());
                var counter = new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new IntegerSerializer())) {
            producer.send(new ProducerRecord<>("orders", "o-1", "created")).get();
            producer.send(new ProducerRecord<>("orders", "o-1", "paid")).get();
            for (int i = 0; i < 10; i++) counter.send(new ProducerRecord<>("counts", "c-" + i, i)).get();
        }
        var transactional = new HashMap<>(kafka.connectionProperties());
        transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "reads-example");
        try (var producer = new KafkaProducer<>(transactional, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "p-2", "charge"));
            producer.flush(); // written to the log, then aborted
            producer.abortTransaction();
        }

        // region readme:reads
        // At least 2 records, String keys and values, from the beginning; at most 30 s.
        List<ConsumerRecord<String, String>> orders = kafka.readStrings("orders", 2);
        // Your own deserializers.
        List<ConsumerRecord<String, Integer>> counts = kafka.read("counts", 10, new StringDeserializer(), new IntegerDeserializer(), Duration.ofSeconds(30));
        // Until a condition holds for what has been read.
        List<ConsumerRecord<String, String>> untilPaid = kafka.read("orders", new StringDeserializer(), new StringDeserializer(),
                Duration.ofSeconds(30), IsolationLevel.READ_UNCOMMITTED, read -> read.stream().anyMatch(r -> "paid".equals(r.value())));
        // Everything up to the end offsets seen at the start; READ_COMMITTED leaves out aborted transactions.
        List<ConsumerRecord<String, String>> committed =
                kafka.readAllStrings("payments", IsolationLevel.READ_COMMITTED);

        assertThat(orders).hasSize(2).preservesOrderPerKey(List.of(
                new ProducerRecord<>("orders", "o-1", "created"), new ProducerRecord<>("orders", "o-1", "paid")));
        assertThat(counts).hasSize(10).containsRecord(t -> t.value(9));
        assertThat(untilPaid).containsRecord(t -> t.value("paid"));
        assertThat(committed).hasSize(1).containsRecord(t -> t.key("p-1"));
        // endregion

        assertThat(kafka.readStrings("payments", 2, IsolationLevel.READ_UNCOMMITTED))
                .containsRecord(t -> t.key("p-2"));
    }

    @Test
    void aReadThatCannotCompleteFailsSayingWhatItSaw(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("short", 2);
        try (var producer = new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new IntegerSerializer())) {
            producer.send(new ProducerRecord<>("short", "k", 1)).get();
        }
        assertThatThrownBy(() -> kafka.read("short", 2, new StringDeserializer(), new IntegerDeserializer(), Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("short");
        assertThatThrownBy(() -> kafka.read("short", -1, new StringDeserializer(), new IntegerDeserializer(), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must not be negative, was -1");
    }
}
