package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Typed headers from Java: the static methods of HeaderValues write and read them. */
class TypedHeadersJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> {});

    @Test
    void typedHeadersTravelAsTextAndAreReadBackTyped(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-user-events");
        Instant createdAt = Instant.parse("2026-01-02T03:04:05.678Z");
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .build()) {
            // region readme:java-typed-headers
            ProducerRecord<String, String> record = new ProducerRecord<>("java-user-events", "user-123", "{\"action\":\"LOGIN\"}");
            HeaderValues.add(record.headers(), "attempt", 3L);
            HeaderValues.add(record.headers(), "createdAt", createdAt);
            producer.sendAsync(record).get(30, TimeUnit.SECONDS);

            Headers headers = kafka.readStrings("java-user-events", 1).get(0).headers();
            Long attempt = HeaderValues.longValue(headers, "attempt");   // readers: string, longValue, intValue, booleanValue, uuid, instant
            Instant created = HeaderValues.instant(headers, "createdAt");
            // endregion
            assertThat(attempt).isEqualTo(3L);
            assertThat(created).isEqualTo(createdAt);
            assertThat(HeaderValues.string(headers, "attempt")).isEqualTo("3");
            assertThat(HeaderValues.intValue(headers, "attempt")).isEqualTo(3);
            assertThat(HeaderValues.longValue(headers, "missing")).isNull();
        }
    }

    @Test
    void everyTypedWriterHasItsReader(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-typed");
        UUID requestId = UUID.fromString("3f2b8c1e-5d4a-4e6b-9a7c-1b2d3e4f5a6b");
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .build()) {
            ProducerRecord<String, String> record = new ProducerRecord<>("java-typed", "k", "v");
            HeaderValues.add(record.headers(), "requestId", requestId);
            HeaderValues.add(record.headers(), "retry", true);
            HeaderValues.add(record.headers(), "source", "web");
            producer.sendAsync(record).get(30, TimeUnit.SECONDS);
        }
        Headers headers = kafka.readStrings("java-typed", 1).get(0).headers();
        assertThat(HeaderValues.uuid(headers, "requestId")).isEqualTo(requestId);
        assertThat(HeaderValues.booleanValue(headers, "retry")).isTrue();
        assertThat(HeaderValues.string(headers, "source")).isEqualTo("web");
    }
}
