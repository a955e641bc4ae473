package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** testkit/README.md's Java examples of the mock: callbacks, failure scripts, manual completion, transactions. */
class MockKafkaProducerJavaTest {

    @Test
    void theCallbackIsCalledOnSuccess() throws Exception {
        // region readme:mock-callback
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(String.class, String.class)) {
            AtomicReference<RecordMetadata> acknowledged = new AtomicReference<>();
            producer.send(new ProducerRecord<>("testTopic", "key", "value"), (metadata, e) -> {
                if (e == null) acknowledged.set(metadata);
            });
            producer.flush();       // the callback ran on the mock's I/O thread, as on the client's

            assertEquals(0, acknowledged.get().offset());
            assertThat(producer.history().get(0)).hasKey("key").hasValue("value");
        }
        // endregion
    }

    @Test
    void failureScriptsFailTheRecordsTheyName() throws Exception {
        // region readme:mock-failure-scripts
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(
                new StringSerializer(), new StringSerializer(), config -> config.topic("orders", 3))) {
            producer.failNextSends(1, new TimeoutException("Expiring 1 record(s)"));
            producer.failWhen(new NotEnoughReplicasException("poison"), record -> "poison".equals(record.key()));
            producer.failOnAttempt(4, new NetworkException("cut"));

            AtomicReference<Exception> seen = new AtomicReference<>();
            Future<RecordMetadata> first = producer.send(new ProducerRecord<>("orders", "o-1", "created"), (m, e) -> seen.set(e));
            Future<RecordMetadata> second = producer.send(new ProducerRecord<>("orders", "o-1", "paid"));
            Future<RecordMetadata> poison = producer.send(new ProducerRecord<>("orders", "poison", "x"));
            Future<RecordMetadata> fourth = producer.send(new ProducerRecord<>("orders", "o-2", "created"));
            producer.flush();

            assertInstanceOf(TimeoutException.class, seen.get());   // the callback, then the future
            assertThatThrownBy(first::get).hasCauseInstanceOf(TimeoutException.class);
            assertEquals(0, second.get().offset());                 // a failed record takes no offset
            assertThatThrownBy(poison::get).hasCauseInstanceOf(NotEnoughReplicasException.class);
            assertThatThrownBy(fourth::get).hasCauseInstanceOf(NetworkException.class);
            assertThat(producer).hasSent(4).hasFailed(3).hasFailed(t -> t.key("poison"));
        }
        // endregion
    }

    @Test
    void manualCompletionLeavesRecordsPendingUntilTheTestSays() throws Exception {
        // region readme:mock-manual-completion
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(
                String.class, String.class, config -> config.completion(Completion.MANUAL))) {
            Future<RecordMetadata> first = producer.send(new ProducerRecord<>("orders", "o-1", "created"));
            Future<RecordMetadata> second = producer.send(new ProducerRecord<>("orders", "o-2", "created"));
            assertFalse(first.isDone());
            assertEquals(2, producer.pending().size());

            assertTrue(producer.completeNext());                    // the oldest: acknowledged
            assertTrue(producer.failNext(new NotEnoughReplicasException("not now")));
            assertEquals(0, first.get().offset());
            assertThat(producer.acknowledged().get(0)).hasKey("o-1");
            ExecutionException failure = assertThrows(ExecutionException.class, second::get);
            assertInstanceOf(NotEnoughReplicasException.class, failure.getCause());
        }
        // endregion
    }

    @Test
    void transactionsOnTheMockCommitAbortAndFence() throws Exception {
        // region readme:mock-transactions
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(
                String.class, String.class, config -> config.transactionalId("payments-1"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "p-2", "charge"));
            producer.abortTransaction();

            assertEquals(List.of("p-1"), producer.committed().stream().map(ProducerRecord::key).toList());
            assertEquals(List.of("p-2"), producer.aborted().stream().map(ProducerRecord::key).toList());
            assertThat(producer).hasSent(2).hasSent(t -> t.key("p-2"));

            // A zombie: another producer took the transactional id, so this one's next transaction is refused.
            producer.fence();
            assertThrows(ProducerFencedException.class, producer::beginTransaction);
        }
        // endregion
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

    @Test
    void awaitRecordBlocksUntilARecordIsSentOrItsTimeoutPasses() throws Exception {
        try (MockKafkaProducer<String, String> producer = MockKafkaProducer.create(String.class, String.class)) {
            Thread sender = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                producer.send(new ProducerRecord<>("orders", "o-1", "created"));
            });
            sender.start();
            ProducerRecord<String, String> sent = producer.awaitRecord(Duration.ofSeconds(10));
            assertEquals("created", sent.value());
            sender.join();
            AssertionError none = assertThrows(AssertionError.class, () -> producer.awaitRecord(Duration.ofMillis(100)));
            assertTrue(none.getMessage().contains("No record was sent within 100ms"), none.getMessage());
        }
    }
}
