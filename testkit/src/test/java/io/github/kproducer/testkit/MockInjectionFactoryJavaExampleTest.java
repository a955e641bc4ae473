package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** testkit/README.md's example of injected mocks configured by the extension and by a factory method. */
// region readme:mock-injection-factory
class MockInjectionFactoryJavaExampleTest {
    @RegisterExtension
    static final MockKafkaProducerJUnitExtension MOCKS =
            MockKafkaProducerJUnitExtension.create(config -> config.topic("payments", 3));   // every mock of the class

    static MockKafkaProducer<String, String> roundRobin() {
        return MockKafkaProducer.create(String.class, String.class, config -> {
            config.topic("payments", 3);
            config.partitioner(new RoundRobinPartitioner());
        });
    }

    @Test
    void theExtensionsConfigurationThenTheOptions(
            @MockProducerOptions(completion = Completion.MANUAL) MockKafkaProducer<String, String> producer) {
        Future<RecordMetadata> pending = producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
        assertEquals(3, producer.partitionsFor("payments").size());
        assertFalse(pending.isDone());
    }

    @Test
    void aFactoryForWhatTheOptionsCannotSay(@MockProducerOptions(factory = "roundRobin") MockKafkaProducer<String, String> producer)
            throws Exception {
        int first = producer.send(new ProducerRecord<>("payments", "same-key", "1")).get().partition();
        int second = producer.send(new ProducerRecord<>("payments", "same-key", "2")).get().partition();
        assertEquals((first + 1) % 3, second);   // round robin ignores the key
        assertThat(producer).hasSent(2);
    }
}
// endregion
