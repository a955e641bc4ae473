package io.github.kproducer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.assertj.KafkaAssertions;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class MockKafkaProducerJavaTest {

    @Test
    void javaTestsUseTheMockAndItsScripts() throws Exception {
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(
                new StringSerializer(), new StringSerializer(), config -> config.topic("orders", 3))) {
            RecordMetadata metadata = producer.send(new ProducerRecord<>("orders", "order-1", "paid")).get();
            assertEquals("orders", metadata.topic());

            producer.failWhen(new NotEnoughReplicasException("poison"), record -> record.key().equals("poison"));
            AtomicReference<Exception> failure = new AtomicReference<>();
            producer.send(new ProducerRecord<>("orders", "poison", "x"), (m, e) -> failure.set(e));
            producer.flush();

            assertTrue(failure.get() instanceof NotEnoughReplicasException);
            assertEquals(2, producer.history().size());
            assertEquals("poison", producer.failed().get(0).key());
            RecordsMatchers.shouldHaveSent(producer, 2);
        }
    }

    @Test
    void transactionsOnTheMockCommitAbortAndFence() throws Exception {
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(
                String.class, String.class, config -> config.setTransactionalId("payments-1"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "p-2", "charge"));
            producer.abortTransaction();

            assertEquals(List.of("p-1"), producer.committed().stream().map(ProducerRecord::key).toList());
            assertEquals(List.of("p-2"), producer.aborted().stream().map(ProducerRecord::key).toList());
            KafkaAssertions.assertThat(producer).hasSent(2).hasSent(t -> t.setKey("p-2"));

            // A zombie: another producer took the transactional id, so this one's next transaction is refused.
            producer.fence();
            assertThrows(ProducerFencedException.class, producer::beginTransaction);
        }
    }

    @Test
    void javaTestsGetKafkasBuiltInSerializersFromTheTypes() throws Exception {
        try (MockKafkaProducer<String, Integer> producer = MockKafkaProducer.create(String.class, Integer.class, config -> config.topic("counts", 2))) {
            assertEquals("counts", producer.send(new ProducerRecord<>("counts", "k", 7)).get().topic());
            assertEquals(7, producer.history().get(0).value());
        }
        try (MockKafkaProducer<byte[], Long> producer = MockKafkaProducer.create(byte[].class, Long.class)) {
            assertEquals("any", producer.send(new ProducerRecord<>("any", new byte[] {1}, 1L)).get().topic());
        }
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> MockKafkaProducer.create(String.class, Thread.class));
        assertTrue(error.getMessage().contains("Kafka has no built-in serializer for java.lang.Thread"));
    }
}
