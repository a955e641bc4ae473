package io.github.kproducer.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KProducerJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(b -> b.autoCreateTopics(false));

    @Test
    void javaBuilderSendsAsynchronouslyAndFlushes(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-orders", 3);
        // region readme:java-send-modes
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .reliable()
                .linger(Duration.ofMillis(20))
                .build()) {
            RecordMetadata metadata = producer.sendAsync("java-orders", "order-1", "paid").get(); // a CompletableFuture
            assertEquals("java-orders", metadata.topic());
            producer.offer("java-orders", "order-2", "shipped"); // fire-and-forget: a failure goes to onError
            producer.flushAsync().get();
        }
        // endregion
        assertEquals(2, kafka.readStrings("java-orders", 2).size());
    }

    @Test
    void javaBuilderValidatesLikeTheKotlinBlock() {
        KProducerConfigException error = assertThrows(KProducerConfigException.class, () ->
                KProducer.builder(new StringSerializer(), new StringSerializer())
                        .acks(Acks.LEADER)
                        .idempotence(true)
                        .property("lingr.ms", 5)
                        .build());
        assertTrue(error.getMessage().contains("bootstrapServers is not set"));
        assertTrue(error.getMessage().contains("did you mean 'linger.ms'?"));
        // In the builder's words: its methods, not the Kotlin block's properties.
        assertTrue(error.getMessage().contains(".idempotence(true) needs .acks(Acks.ALL)"), error.getMessage());
    }

    @Test
    void javaSeesTheSameErrorsAsTheFutureCause(EmbeddedKafka kafka) {
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .maxBlock(Duration.ofMillis(500))
                .build()) {
            ExecutionException error = assertThrows(ExecutionException.class,
                    () -> producer.sendAsync("java-missing", "k", "v").get());
            assertTrue(error.getCause() instanceof TimeoutException);
            assertTrue(SendErrors.isRetriable(error));
        }
    }

    @Test
    void closeEndsEveryFutureWithKafkasExceptionAndFuturesOfAPartitionCompleteInOffsetOrder(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-order", 1);
        List<CompletableFuture<RecordMetadata>> queued = new ArrayList<>();
        List<Long> offsets = Collections.synchronizedList(new ArrayList<>());
        KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .maxBlock(Duration.ofSeconds(30))
                .build();
        List<CompletableFuture<Boolean>> ordered = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ordered.add(producer.sendAsync("java-order", "k" + i, "v").thenApply(m -> offsets.add(m.offset())));
        }
        CompletableFuture.allOf(ordered.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        List<Long> sorted = new ArrayList<>(offsets);
        Collections.sort(sorted);
        assertEquals(sorted, offsets);

        // The topic never appears: these wait in its lane until close.
        for (int i = 0; i < 20; i++) {
            queued.add(producer.sendAsync("java-never", "k" + i, "v"));
        }
        producer.close(Duration.ofMillis(300));
        for (CompletableFuture<RecordMetadata> future : queued) {
            assertTrue(future.isDone(), "every future is done when close returns");
            ExecutionException error = assertThrows(ExecutionException.class, future::get);
            assertTrue(error.getCause() instanceof KafkaException);
            assertTrue(error.getCause().getMessage().contains("closed"));
        }
    }

    @Test
    void cancellingASendAsyncFutureWithdrawsARecordStillWaitingInItsLane(EmbeddedKafka kafka) throws Exception {
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .maxBlock(Duration.ofSeconds(30))
                .build()) {
            // No such topic yet: the lane's worker waits for its metadata with the first record; the second queues behind it.
            CompletableFuture<RecordMetadata> first = producer.sendAsync("java-withdrawn", "a", "first");
            CompletableFuture<RecordMetadata> second = producer.sendAsync("java-withdrawn", "b", "second");
            assertTrue(second.cancel(true));
            kafka.createTopic("java-withdrawn", 1);
            assertEquals(0, first.get(30, TimeUnit.SECONDS).offset());
            producer.flushAsync().get(30, TimeUnit.SECONDS);
            assertEquals(1, producer.metrics().getAcknowledged());
            assertEquals(0, producer.metrics().getInFlight());
        }
        // Only the first record was sent: the cancelled one never reached Kafka.
        assertEquals(List.of("first"), kafka.readAllStrings("java-withdrawn").stream().map(r -> r.value()).toList());
    }
}
