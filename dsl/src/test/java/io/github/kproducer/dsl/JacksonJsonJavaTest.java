package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** JSON from Java: Jackson 3 writes the values, and reads them back. */
class JacksonJsonJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> {});

    public record Payment(String id, long amountCents, String currency) {}

    // region readme:jackson-java
    @Test
    void paymentsTravelAsJson(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("json-payments");
        try (KProducer<String, Payment> producer = KProducer.builder(new StringSerializer(), new JacksonSerializer<Payment>())
                .bootstrapServers(kafka.getBootstrapServers())
                .build()) {
            producer.sendAsync("json-payments", "p-1", new Payment("p-1", 1250, "EUR")).get(30, TimeUnit.SECONDS);
            producer.sendAsync("json-payments", "p-2", null).get(30, TimeUnit.SECONDS); // a tombstone stays null
        }
        List<ConsumerRecord<String, Payment>> read = kafka.read("json-payments", 2,
                new StringDeserializer(), new JacksonDeserializer<>(Payment.class), Duration.ofSeconds(30));
        assertThat(read).extracting(ConsumerRecord::value).containsExactly(new Payment("p-1", 1250, "EUR"), null);
    }
    // endregion

    @Test
    void theJsonIsWhatJacksonWrites(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("json-text");
        try (KProducer<String, Payment> producer = KProducer.builder(new StringSerializer(), new JacksonSerializer<Payment>())
                .bootstrapServers(kafka.getBootstrapServers())
                .build()) {
            producer.sendAsync("json-text", "p-1", new Payment("p-1", 1250, "EUR")).get(30, TimeUnit.SECONDS);
        }
        assertThat(kafka.readStrings("json-text", 1).get(0).value())
                .isEqualTo("{\"id\":\"p-1\",\"amountCents\":1250,\"currency\":\"EUR\"}");
    }

    /** Jackson cannot write it: its getter throws. */
    public static final class Broken {
        public String getValue() {
            throw new IllegalStateException("no value");
        }
    }

    @Test
    void whatJacksonCannotWriteOrReadFailsWithASerializationExceptionNamingTheTypeAndTopic(EmbeddedKafka kafka) {
        kafka.createTopic("json-broken");
        try (KProducer<String, Broken> producer = KProducer.builder(new StringSerializer(), new JacksonSerializer<Broken>())
                .bootstrapServers(kafka.getBootstrapServers())
                .build()) {
            assertThatThrownBy(() -> producer.sendAsync("json-broken", "b-1", new Broken()).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Jackson cannot write a " + Broken.class.getName() + " as JSON for topic 'json-broken'");
        }
        assertThatThrownBy(() -> new JacksonDeserializer<>(Payment.class).deserialize("json-payments", "{not json".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Jackson cannot read a " + Payment.class.getName() + " from the JSON of a record of topic 'json-payments'");
    }
}
