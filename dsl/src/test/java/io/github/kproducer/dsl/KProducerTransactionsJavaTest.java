package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Transactions from Java: the blocking inTransaction, the future form, nesting refused, close ending every future. */
class KProducerTransactionsJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    private static KProducer<String, String> producer(EmbeddedKafka kafka, String transactionalId) {
        return KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .transactionalId(transactionalId)
                .build();
    }

    private static List<String> committed(EmbeddedKafka kafka, String topic) {
        return kafka.readAllStrings(topic, IsolationLevel.READ_COMMITTED).stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    @Test
    void inTransactionCommitsWhatTheBlockSentAndReturnsItsResult(EmbeddedKafka kafka) {
        kafka.createTopic("java-payments");
        kafka.createTopic("java-ledger");
        try (KProducer<String, String> producer = producer(kafka, "java-tx-1")) {
            // region readme:java-transaction
            String receipt = producer.inTransaction(tx -> {                 // blocks until committed; throws when aborted
                tx.sendAsync("java-payments", "p-1", "paid");
                tx.sendAllAsync(List.of(new ProducerRecord<>("java-ledger", "p-1", "debit"), new ProducerRecord<>("java-ledger", "p-1", "credit")));
                tx.offer("java-payments", "p-1", "receipted");
                return "receipt-p-1";
            });
            // endregion
            assertThat(receipt).isEqualTo("receipt-p-1");
        }
        assertThat(committed(kafka, "java-payments")).containsExactly("paid", "receipted");
        assertThat(committed(kafka, "java-ledger")).containsExactly("debit", "credit");
    }

    @Test
    void inTransactionAbortsWhenTheBlockThrowsAndRethrowsItsException(EmbeddedKafka kafka) {
        kafka.createTopic("java-aborted");
        try (KProducer<String, String> producer = producer(kafka, "java-tx-2")) {
            assertThatThrownBy(() -> producer.inTransaction(tx -> {
                tx.sendAsync("java-aborted", "k", "never visible");
                throw new IllegalArgumentException("declined");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("declined");
            producer.inTransaction(tx -> tx.sendAsync("java-aborted", "k", "visible"));
        }
        assertThat(committed(kafka, "java-aborted")).containsExactly("visible");
    }

    @Test
    void aNestedTransactionIsRefusedAtOnceInEveryForm(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-nested");
        try (KProducer<String, String> producer = producer(kafka, "java-tx-3")) {
            // The future form inside the future form: before, this waited forever for the open transaction.
            CompletableFuture<String> outer = producer.transactionAsync(tx -> producer.transactionAsync(inner -> CompletableFuture.completedFuture("x")));
            assertThatThrownBy(() -> outer.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("transactionAsync cannot be nested in a transaction of the same producer")
                    .hasMessageContaining("tx.sendAsync(...)");
            assertThatThrownBy(() -> producer.inTransaction(tx -> producer.inTransaction(inner -> "x")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inTransaction cannot be nested");
            assertThatThrownBy(() -> producer.inTransaction(tx -> producer.transactionAsync(inner -> CompletableFuture.completedFuture("x"))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("transactionAsync cannot be nested");
            // The producer goes on: the refused transactions aborted, and the next one commits.
            RecordMetadata after = producer.transactionAsync(tx -> tx.sendAsync("java-nested", "k", "after")).get(30, TimeUnit.SECONDS);
            assertThat(after.topic()).isEqualTo("java-nested");
        }
        assertThat(committed(kafka, "java-nested")).containsExactly("after");
    }

    @Test
    void closeCompletesTheFutureOfATransactionWhoseBlockNeverFinishes(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-stuck");
        KProducer<String, String> producer = producer(kafka, "java-tx-4");
        CountDownLatch open = new CountDownLatch(1);
        CompletableFuture<String> stuck = producer.transactionAsync(tx -> {
            tx.sendAsync("java-stuck", "k", "never committed");
            open.countDown();
            return new CompletableFuture<>(); // a block whose future nobody completes
        });
        assertThat(open.await(30, TimeUnit.SECONDS)).isTrue();
        producer.close(Duration.ofSeconds(1));
        assertThat(stuck).isDone();
        assertThatThrownBy(stuck::join).isInstanceOf(CancellationException.class).hasMessageContaining("closed while this call was still running");
        assertThat(committed(kafka, "java-stuck")).isEmpty();
    }
}
