package example;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.dsl.ConsumeTransformProduce;
import io.github.kproducer.dsl.ConsumeTransformProduceLoop;
import io.github.kproducer.dsl.HeaderValues;
import io.github.kproducer.dsl.HeadersContext;
import io.github.kproducer.dsl.HeadersScope;
import io.github.kproducer.dsl.KProducer;
import io.github.kproducer.dsl.KProducerConfigException;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.MockKafkaProducer;
import io.github.kproducer.testkit.MockKafkaProducerConfig;
import io.github.kproducer.testkit.faults.Faults;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rest of what a Java team meets, from Java only: transactions, batches, context and typed headers,
 * messages in the builder's words, the test kit's reads, assertions and faults.
 */
class JavaFirstTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.faultProxy(true).defaultPartitions(1));

    static KProducer<String, String> strings(EmbeddedKafka kafka, String transactionalId) {
        var builder = KProducer.builder(new StringSerializer(), new StringSerializer())
                .bootstrapServers(kafka.getBootstrapServers())
                .copyContextHeaders(true);
        return transactionalId == null ? builder.build() : builder.transactionalId(transactionalId).build();
    }

    @Test
    void aTransactionCommitsItsSendsAndANestedOneIsRefusedAtOnce(EmbeddedKafka kafka) {
        kafka.createTopic("java-first-tx");
        try (KProducer<String, String> producer = strings(kafka, "java-first-tx")) {
            String result = producer.inTransaction(tx -> {
                tx.sendAsync("java-first-tx", "o-1", "created");
                tx.sendAllAsync(List.of(new ProducerRecord<>("java-first-tx", "o-1", "paid")));
                assertThatThrownBy(() -> producer.inTransaction(inner -> "never"))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inTransaction");
                return "committed";
            });
            assertThat(result).isEqualTo("committed");
        }
        assertThat(kafka.readAllStrings("java-first-tx", IsolationLevel.READ_COMMITTED))
                .extracting(ConsumerRecord::value)
                .containsExactly("created", "paid");
    }

    @Test
    void contextHeadersAndTypedHeadersReachTheBroker(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-first-headers");
        try (KProducer<String, String> producer = strings(kafka, null);
                HeadersScope scope = HeadersContext.open(Map.of("trace-id", "t-42"))) {
            ProducerRecord<String, String> record = new ProducerRecord<>("java-first-headers", "o-1", "created");
            HeaderValues.add(record.headers(), "attempt", 3L);
            producer.sendAsync(record).get(30, TimeUnit.SECONDS);
        }
        ConsumerRecord<String, String> read = kafka.readStrings("java-first-headers", 1).get(0);
        assertThat(read).hasHeader("trace-id", "t-42");
        assertThat(HeaderValues.longValue(read.headers(), "attempt")).isEqualTo(3L);
    }

    @Test
    void aBatchIsAcknowledgedInOrderAndTheListAssertionNavigates(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-first-batch");
        try (KProducer<String, String> producer = strings(kafka, null)) {
            List<RecordMetadata> acknowledged = producer.sendAllAsync(List.of(
                    new ProducerRecord<>("java-first-batch", "o-1", "created"),
                    new ProducerRecord<>("java-first-batch", "o-2", "created"),
                    new ProducerRecord<>("java-first-batch", "o-1", "paid"))).get(30, TimeUnit.SECONDS);
            assertThat(acknowledged).extracting(RecordMetadata::offset).containsExactly(0L, 1L, 2L);
        }
        List<ConsumerRecord<String, String>> read = kafka.readStrings("java-first-batch", 3);
        assertThat(read).hasSize(3).first().hasKey("o-1").hasValue("created");
        assertThat(read).element(2).hasValue("paid");
        assertThat(read).filteredOn(r -> r.key().equals("o-1")).hasSize(2);
        assertThat(read).containsRecord(t -> t.key("o-2").value("created"));
    }

    @Test
    void aFaultSelectorNamedForJavaDelaysTheFirstWriteAndTheSendStillLands(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-first-faults");
        try (KProducer<String, String> producer = strings(kafka, null);
                Faults faults = kafka.faults(f -> f.produce("java-first-faults").respond(Errors.NOT_LEADER_OR_FOLLOWER, 1))) {
            producer.sendAsync("java-first-faults", "o-1", "created").get(30, TimeUnit.SECONDS);
            assertThat(faults.applied()).isEqualTo(1);
        }
        assertThat(kafka.readStrings("java-first-faults", 1)).containsRecord(t -> t.key("o-1"));
    }

    @Test
    void aBadSettingIsNamedAsTheBuilderMethodTheCallerWrote() {
        assertThatThrownBy(() -> KProducer.builder(new StringSerializer(), new StringSerializer())
                        .bootstrapServers("host1:9092")
                        .linger(Duration.ofMillis(-1))
                        .build())
                .isInstanceOf(KProducerConfigException.class)
                .hasMessageContaining(".linger(");
    }

    @Test
    void theMockIsConfiguredFluentlyAndALongValueMismatchShowsWhereItDiffers() throws Exception {
        MockKafkaProducer<String, String> mock = MockKafkaProducer.create(new StringSerializer(), new StringSerializer(),
                config -> config.topic("payments", 3).completion(MockKafkaProducerConfig.Completion.AUTOMATIC));
        String sent = "{\"payment\":\"p-000123\",\"customer\":\"c-42\",\"amount\":350,\"currency\":\"EUR\",\"note\":\"coffee\"}";
        String expected = sent.replace("coffee", "coffees");
        try (KProducer<String, String> producer = KProducer.wrap(mock)) {
            producer.sendAsync("payments", "c-42", sent).get(5, TimeUnit.SECONDS);
        }
        ProducerRecord<String, String> record = mock.awaitRecord(Duration.ofSeconds(5));
        assertThatThrownBy(() -> assertThat(record).hasValue(expected))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("coffees");
    }

    @Test
    void theExactlyOnceLoopTransformsEachInputOnceAndStopsWhenClosed(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-first-eos-in");
        kafka.createTopic("java-first-eos-out");
        try (KProducer<String, String> plain = strings(kafka, null)) {
            plain.sendAllAsync(List.of(new ProducerRecord<>("java-first-eos-in", "o-1", "created"),
                    new ProducerRecord<>("java-first-eos-in", "o-1", "paid"))).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> properties = new HashMap<>(kafka.connectionProperties());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "java-first-eos");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
                KProducer<String, String> producer = strings(kafka, "java-first-eos")) {
            consumer.subscribe(List.of("java-first-eos-in"));
            try (ConsumeTransformProduceLoop loop = ConsumeTransformProduce.startConsumeTransformProduce(producer, consumer,
                    record -> List.of(new ProducerRecord<>("java-first-eos-out", record.key(), record.value() + "!")))) {
                assertThat(kafka.readStrings("java-first-eos-out", 2, IsolationLevel.READ_COMMITTED))
                        .extracting(ConsumerRecord::value)
                        .containsExactly("created!", "paid!");
            }
        }
    }
}
