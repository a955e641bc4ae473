package io.github.kproducer.testkit.assertj;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.MockKafkaProducer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The AssertJ assertions as a Java test writes them, against the embedded broker and the mock. */
class KafkaAssertionsJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(b -> {});

    @Test
    void recordsReadBackFromTheBroker(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("assertj-orders", 3);
        List<ProducerRecord<String, String>> sent = List.of(
                new ProducerRecord<>("assertj-orders", "o-1", "created"),
                new ProducerRecord<>("assertj-orders", "o-2", "created"),
                new ProducerRecord<>("assertj-orders", "o-1", "paid"));
        sent.get(2).headers().add("source", "web".getBytes(StandardCharsets.UTF_8));
        RecordMetadata last = null;
        try (var producer = new KafkaProducer<>(kafka.connectionProperties(), new StringSerializer(), new StringSerializer())) {
            for (var record : sent) last = producer.send(record).get();
        }
        // region readme:assertj-records
        assertThat(last).hasTopic("assertj-orders").hasPartition(last.partition()).hasOffset(last.offset());

        List<ConsumerRecord<String, String>> records = kafka.readStrings("assertj-orders", 3);
        assertThat(records)
                .hasSize(3)
                .containsRecord(t -> {
                    t.key("o-1");
                    t.value("paid");
                    t.header("source", "web");
                })
                .doesNotContainRecord(t -> t.value("refunded"))
                .allOnTopic("assertj-orders")
                .keepsEachKeyInOnePartition()
                .preservesOrderPerKey(sent)
                .hasNoDuplicates();
        ConsumerRecord<String, String> paid = records.stream().filter(r -> "paid".equals(r.value())).findFirst().orElseThrow();
        assertThat(paid).hasKey("o-1").hasValue("paid").hasHeader("source", "web").hasPartition(last.partition());
        // endregion

        assertThatThrownBy(() -> assertThat(records).containsRecord(t -> t.key("o-9")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("none matched. Closest:");
    }

    @Test
    void aMocksHistoryAndFailures() {
        MockKafkaProducer<String, String> producer = MockKafkaProducer.create(String.class, String.class);
        producer.failNextSends(1, new TimeoutException("Expiring 1 record(s)"));
        producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
        producer.send(new ProducerRecord<>("payments", "p-2", "charge"));
        producer.flush();

        // region readme:assertj-mock
        assertThat(producer)
                .hasSent(2)
                .hasSent(t -> t.key("p-2"))
                .hasNotSent(t -> t.key("p-3"))
                .hasFailed(1)
                .hasFailed(t -> t.key("p-1"))
                .allOnTopic("payments")
                .hasNoDuplicates();
        assertThat(producer.history().get(0)).hasTopic("payments").hasKey("p-1").hasValue("charge");
        // endregion

        assertThatThrownBy(() -> assertThat(producer).hasFailed(2))
                .hasMessageStartingWith("Among the mock's failed sends: Expected 2 records but there were 1");
    }

    @Test
    void softAssertionsReportEveryFailureTogether() {
        MockKafkaProducer<String, String> producer = MockKafkaProducer.create(String.class, String.class);
        producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
        producer.flush();

        // region readme:assertj-soft
        KafkaSoftAssertions softly = new KafkaSoftAssertions();
        softly.assertThat(producer).hasSent(3).hasSent(t -> t.key("p-9"));
        softly.assertThat(producer.history().get(0)).hasValue("refund");
        assertThatThrownBy(softly::assertAll)
                .hasMessageContaining("Expected 3 records but there were 1")
                .hasMessageContaining("none matched")
                .hasMessageContaining("should have value \"refund\"");
        // endregion
    }

    @Test
    void twoLongValuesThatDifferNearTheEndShowWhereAndGiveTheIdeBothWhole() {
        String paid = "{\"paymentId\":\"p-000123\",\"customer\":\"c-42\",\"currency\":\"EUR\",\"method\":\"card\",\"status\":\"captured\",\"amount\":1000}";
        String other = paid.replace("1000}", "1001}");
        assertThatThrownBy(() -> assertThat(new ProducerRecord<>("payments", "p-000123", other)).hasValue(paid))
                .isInstanceOfSatisfying(org.opentest4j.AssertionFailedError.class, error -> {
                    assertThat(error.getMessage())
                            .contains("\"amount\":1000}\" (" + (paid.length() + 2) + " chars) [first difference at char")
                            .contains("but had ...")
                            .contains("\"amount\":1001}\"");
                    assertThat(error.getExpected().getValue()).isEqualTo("\"" + paid + "\"");
                    assertThat(error.getActual().getValue()).isEqualTo("\"" + other + "\"");
                });
    }

    @Test
    void aListOfRecordsIsAnAssertJListAssertWithTheRecordChecksOnEachElement() {
        List<ConsumerRecord<String, String>> records = List.of(
                new ConsumerRecord<>("orders", 0, 0, "o-1", "created"),
                new ConsumerRecord<>("orders", 0, 1, "o-1", "paid"),
                new ConsumerRecord<>("orders", 1, 0, "o-2", "created"));
        assertThat(records)
                .hasSize(3)
                .keepsEachKeyInOnePartition()
                .containsRecord(t -> t.key("o-2"));
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("created", "paid", "created");
        assertThat(records).filteredOn(record -> record.key().equals("o-1")).hasSize(2).allOnTopic("orders");
        assertThat(records).first().hasKey("o-1").hasOffset(0);
        assertThat(records).element(1).hasValue("paid").hasPartition(0);
        assertThat(records).last().hasKey("o-2");
        // A failure of an element check names the record, as the single-record assertion does.
        assertThatThrownBy(() -> assertThat(records).element(2).hasValue("paid"))
                .hasMessageContaining("should have value \"paid\" but had \"created\"");
        // The list's own checks keep their messages: every record listed.
        assertThatThrownBy(() -> assertThat(records).hasSize(2)).hasMessageContaining("orders-1@0");
    }
}
