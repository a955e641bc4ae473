package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** testkit/README.md's example of a mock injected into JUnit 5 test methods. */
// region readme:mock-injection
@ExtendWith(MockKafkaProducerJUnitExtension.class)
class MockInjectionJavaExampleTest {
    @Test
    void aMockWithBuiltInSerializersForItsTypes(MockKafkaProducer<String, Long> producer) throws Exception {
        producer.send(new ProducerRecord<>("counts", "k", 42L)).get();
        assertThat(producer).hasSent(1).hasSent(t -> t.value(42L));
    }

    @Test
    void optionsDeclareTopicsAndManualCompletion(
            @MockProducerOptions(topics = "payments", partitions = 3, completion = Completion.MANUAL) MockKafkaProducer<String, String> producer)
            throws Exception {
        Future<RecordMetadata> pending = producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
        assertFalse(pending.isDone());
        assertTrue(producer.completeNext());
        assertThat(pending.get()).hasTopic("payments");
    }
}
// endregion
