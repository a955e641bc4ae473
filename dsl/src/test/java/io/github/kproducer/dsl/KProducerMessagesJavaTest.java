package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.testkit.MockKafkaProducer;
import java.time.Duration;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What a Java caller reads when something is wrong: the builder's methods and the Java forms, as the
 * caller wrote them. WordingSpec checks the same problems in the Kotlin block's words.
 */
class KProducerMessagesJavaTest {
    private static <K, V> String problems(KProducerBuilder<K, V> builder) {
        KProducerConfigException error = org.junit.jupiter.api.Assertions.assertThrows(KProducerConfigException.class, builder::build);
        return error.getMessage();
    }

    @Test
    void configurationProblemsNameTheBuildersMethods() {
        String message = problems(KProducer.builder(new StringSerializer(), new StringSerializer())
                .transactionalId("payments-1")
                .idempotence(false)
                .linger(Duration.ofMillis(-1))
                .property("linger.ms", 5)
                .pluginProperty("acks", "all")
                .sasl(sasl -> sasl.mechanism(SaslMechanism.PLAIN)));
        assertThat(message)
                .contains("set .bootstrapServers(\"host1:9092,host2:9092\")")
                .contains("transactionalId needs idempotence, but .idempotence(false); remove .idempotence(false)")
                .contains(".linger(...) must not be negative, was PT-0.001S")
                .contains("by .linger(...) and by .property(\"linger.ms\", ...)")
                .contains("set it with its typed builder method or .property(\"acks\", ...), not .pluginProperty(...)")
                .contains(".sasl(sasl -> ...) needs securityProtocol: set .securityProtocol(SecurityProtocol.SASL_SSL)")
                .contains(".sasl(sasl -> ...) needs username: sasl.username(\"...\")")
                .doesNotContain(" = ")
                .doesNotContain("{ }");
    }

    @Test
    void aMissingSerializerNamesTheBuilders() {
        assertThat(problems(KProducer.builder(String.class, StringBuilder.class)
                .bootstrapServers("localhost:9092")
                .securityProtocol(SecurityProtocol.SASL_SSL)
                .property("lingr.ms", 1)))
                .contains("set .valueSerializer(...) (a Serializer, such as new StringSerializer(), or a lambda (topic, value) -> bytes)")
                .contains("a setting read by your own plugin goes in .pluginProperty(\"lingr.ms\", ...)")
                .contains("needs credentials: add .sasl(sasl -> { sasl.mechanism(...); sasl.username(...); sasl.password(...); })");
    }

    @Test
    void aSerializerPropertyThatContradictsTheBuildersSerializerIsNamedInJavasWords() {
        assertThat(problems(KProducer.builder(new StringSerializer(), new StringSerializer())
                .property("bootstrap.servers", java.util.List.of("localhost:9092"))
                .property("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")))
                .contains("'value.serializer' is org.apache.kafka.common.serialization.ByteArraySerializer, "
                        + "but .valueSerializer(...) is org.apache.kafka.common.serialization.StringSerializer")
                .contains("keep one (remove .property(\"value.serializer\", ...) or the valueSerializer)");
        // Boot's List form of bootstrap.servers alone is fine.
        assertThat(KProducer.builder(new StringSerializer(), new StringSerializer())
                .property("bootstrap.servers", java.util.List.of("localhost:9092", "localhost:9093"))
                .buildSettings()
                .getBootstrapServers())
                .isEqualTo("localhost:9092,localhost:9093");
    }

    @Test
    void aTransactionalProducerSaysWhereItsSendsGoInJava() {
        MockKafkaProducer<String, String> mock = MockKafkaProducer.create(String.class, String.class);
        try (KProducer<String, String> producer = KProducer.builder(new StringSerializer(), new StringSerializer())
                .bootstrapServers("localhost:9092")
                .transactionalId("payments-1")
                .build()) {
            assertThatThrownBy(() -> producer.sendAsync("payments", "k", "v"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("send inside producer.inTransaction(tx -> ...) or producer.transactionAsync(tx -> ...)");
        }
        try (KProducer<String, String> wrapped = KProducer.wrap(mock)) {
            assertThatThrownBy(() -> wrapped.inTransaction(tx -> "x"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inTransaction and transactionAsync need")
                    .hasMessageContaining(".transactionalId(\"...\")");
        }
        assertThatThrownBy(() -> KProducer.wrap(mock, options -> options.closeTimeout(Duration.ofSeconds(-1))))
                .isInstanceOf(KProducerConfigException.class)
                .hasMessageContaining(".closeTimeout(...) must not be negative, was PT-1S");
    }
}
