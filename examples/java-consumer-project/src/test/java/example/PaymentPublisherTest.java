package example;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.dsl.JacksonDeserializer;
import io.github.kproducer.dsl.JacksonSerializer;
import io.github.kproducer.dsl.KProducer;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.MockKafkaProducer;
import io.github.kproducer.testkit.faults.Faults;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service's tests, as a Java team writes them: a real broker, the mock, faults, and AssertJ. */
// region readme:java-service-test
class PaymentPublisherTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.faultProxy(true));

    static final Payment COFFEE = new Payment("p-1", "c-42", 350, "EUR");

    static KProducer<String, Payment> producer(EmbeddedKafka kafka) {
        return KProducer.builder(new StringSerializer(), new JacksonSerializer<Payment>())
                .bootstrapServers(kafka.getBootstrapServers())
                .build();
    }

    @Test
    void aPaymentReachesTheBrokerAsJson(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("payments", 3);
        try (KProducer<String, Payment> producer = producer(kafka)) {
            new PaymentPublisher(producer).publish(COFFEE).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, Payment>> read = kafka.read("payments", 1,
                new StringDeserializer(), new JacksonDeserializer<>(Payment.class), Duration.ofSeconds(30));
        assertThat(read.get(0)).hasKey("c-42").hasValue(COFFEE);
    }

    @Test
    void aRetriableErrorIsRiddenOutByKafkasRetries(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("payments-retried");
        try (KProducer<String, Payment> producer = producer(kafka);
             Faults faults = kafka.faults(f -> f.produce("payments-retried").respond(Errors.NOT_ENOUGH_REPLICAS, 2))) {
            producer.sendAsync("payments-retried", "c-42", COFFEE).get(30, TimeUnit.SECONDS);
            org.assertj.core.api.Assertions.assertThat(faults.applied()).isEqualTo(2);
        }
    }

    @Test
    void onTheMockTheTestSeesWhatWasSent() throws Exception {
        MockKafkaProducer<String, Payment> mock = MockKafkaProducer.create(new StringSerializer(), new JacksonSerializer<Payment>());
        try (KProducer<String, Payment> producer = KProducer.wrap(mock)) {
            new PaymentPublisher(producer).publish(COFFEE).get(5, TimeUnit.SECONDS);
            ProducerRecord<String, Payment> sent = mock.awaitRecord(Duration.ofSeconds(5));
            assertThat(sent).hasTopic("payments").hasKey("c-42").hasValue(COFFEE);
        }
    }

    @Test
    void aFailedSendReachesTheCallerAsKafkasException() {
        MockKafkaProducer<String, Payment> mock = MockKafkaProducer.create(new StringSerializer(), new JacksonSerializer<Payment>());
        mock.failNextSends(1, new NotEnoughReplicasException("replicas gone"));
        try (KProducer<String, Payment> producer = KProducer.wrap(mock)) {
            assertThatThrownBy(() -> new PaymentPublisher(producer).publish(COFFEE).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NotEnoughReplicasException.class);
        }
    }

    @Test
    void aSettlementIsCommittedWhole(EmbeddedKafka kafka) {
        kafka.createTopic("settled-payments");
        try (KProducer<String, Payment> producer = KProducer.builder(new StringSerializer(), new JacksonSerializer<Payment>())
                .bootstrapServers(kafka.getBootstrapServers())
                .transactionalId("settlement-1")
                .build()) {
            int settled = new Settlement(producer).settle(List.of(COFFEE, new Payment("p-2", "c-7", 1200, "EUR")));
            org.assertj.core.api.Assertions.assertThat(settled).isEqualTo(2);
        }
        assertThat(kafka.readAllStrings("settled-payments", IsolationLevel.READ_COMMITTED))
                .hasSize(2);
    }
}
// endregion
