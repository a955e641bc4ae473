package io.github.kproducer.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.MockKafkaProducer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KProducerBatchesJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(b -> b.autoCreateTopics(false));

    private static List<ProducerRecord<String, String>> records(String topic, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new ProducerRecord<>(topic, "key-" + (i % 3), "value-" + i))
                .collect(Collectors.toList());
    }

    @Test
    void javaRunsTransactionsWithFutures(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-tx", 3);
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .transactionalId("java-tx")
                .build()) {
            producer.transactionAsync(tx -> tx.sendAsync(new ProducerRecord<>("java-tx", "k", "committed"))).get();
            CompletableFuture<RecordMetadata> aborted = producer.transactionAsync(tx ->
                    tx.sendAsync(new ProducerRecord<>("java-tx", "k", "aborted"))
                            .thenCompose(m -> CompletableFuture.failedFuture(new IllegalStateException("rejected"))));
            assertTrue(aborted.handle((m, e) -> e != null).get());
        }
        List<String> committed = kafka.readAllStrings("java-tx", IsolationLevel.READ_COMMITTED)
                .stream().map(r -> r.value()).collect(Collectors.toList());
        assertEquals(List.of("committed"), committed);
    }

    @Test
    void javaSendsBatchesAndReadsTheMetrics(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-batch", 3);
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .maxInFlightRecords(10)
                .partitioner((topic, key, value, partitions) -> 1)
                .build()) {
            List<RecordMetadata> metadata = producer.sendAllAsync(records("java-batch", 50)).get();
            assertEquals(50, metadata.size());
            assertTrue(metadata.stream().allMatch(m -> m.partition() == 1));
            assertEquals(50L, producer.metrics().getAcknowledged());
        }
    }

    @Test
    void javaSeesEachResultOfASettledBatch() throws Exception {
        MockKafkaProducer<String, String> mock = MockKafkaProducer.create(new StringSerializer(), new StringSerializer());
        mock.failOnAttempt(2, new NotEnoughReplicasException("second"));
        try (KProducer<String, String> producer = KProducer.wrap(mock)) {
            List<SendResult<String, String>> results = producer.sendAllSettledAsync(records("t", 3)).get();
            assertTrue(results.get(0).isSuccess());
            assertFalse(results.get(1).isSuccess());
            assertTrue(results.get(1).getException() instanceof NotEnoughReplicasException);
            assertTrue(results.get(2).isSuccess());
        }
    }
}
