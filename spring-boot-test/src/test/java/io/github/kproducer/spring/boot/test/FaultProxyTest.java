package io.github.kproducer.spring.boot.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.faults.Faults;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(classes = TestApplication.class)
@AutoConfigureEmbeddedKafka(faultProxy = true, topics = "orders")
class FaultProxyTest {
    @Autowired
    EmbeddedKafka kafka;

    @Autowired
    KafkaProducer<String, String> producer;

    @Value("${spring.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Test
    void theApplicationsClientsGoThroughTheProxy() throws Exception {
        assertThat(kafka.getSettings().getFaultProxy()).isTrue();
        assertThat(bootstrapServers).isEqualTo(kafka.getBootstrapServers());

        try (Faults seen = kafka.faults(faults -> {})) {
            producer.send(new ProducerRecord<>("orders", "order-0", "seen")).get(30, TimeUnit.SECONDS);

            assertThat(seen.requests(ApiKeys.PRODUCE)).as("Produce requests the proxy saw").isPositive();
        }
    }

    @Test
    void anErrorAnswerForProduceFailsTheSendUntilTheFaultIsHealed() throws Exception {
        try (Faults faults = kafka.faults(f -> f.produce("orders").respond(Errors.NOT_ENOUGH_REPLICAS))) {
            // The producer retries the retriable error until its delivery timeout, then fails the send.
            Throwable failed = catchThrowable(() -> producer.send(new ProducerRecord<>("orders", "order-1", "refused"))
                    .get(TestApplication.DELIVERY_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS));

            assertThat(failed).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(KafkaException.class);
            assertThat(faults.applied(ApiKeys.PRODUCE)).as("Produce requests answered with the error").isPositive();
        }

        producer.send(new ProducerRecord<>("orders", "order-2", "accepted")).get(30, TimeUnit.SECONDS);

        assertThat(kafka.readStrings("orders", 1, Duration.ofSeconds(30)))
                .extracting(record -> record.value())
                .contains("accepted")
                .doesNotContain("refused");
    }
}
