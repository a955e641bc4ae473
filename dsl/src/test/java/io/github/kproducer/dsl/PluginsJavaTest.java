package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's partitioner and interceptors as Java lambdas on the builder. */
class PluginsJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> {});

    private static String userIdOf(String key) {
        return key.substring(0, key.indexOf(':'));
    }

    @Test
    void partitionerAndInterceptorsAsLambdas(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-clicks", 3);
        // region readme:java-plugins
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .partitioner((topic, key, value, partitionCount) -> Math.floorMod(userIdOf(key).hashCode(), partitionCount))
                .onSend(record -> {
                    record.headers().add("sourceType", "web".getBytes(StandardCharsets.UTF_8));
                    return record;
                })
                .onAcknowledgement((m, exception) -> (exception == null ? acknowledged : errors).incrementAndGet())
                .build()) {
            RecordMetadata metadata = producer.sendAsync("java-clicks", "u-7:click-1", "home").get(30, TimeUnit.SECONDS);
            assertThat(metadata.partition()).isEqualTo(Math.floorMod("u-7".hashCode(), 3));
        }
        // endregion
        assertThat(acknowledged).hasValue(1);
        assertThat(errors).hasValue(0);
        ConsumerRecord<String, String> read = kafka.readStrings("java-clicks", 1).get(0);
        assertThat(read.partition()).isEqualTo(Math.floorMod("u-7".hashCode(), 3));
        assertThat(HeaderValues.string(read.headers(), "sourceType")).isEqualTo("web");
    }
}
