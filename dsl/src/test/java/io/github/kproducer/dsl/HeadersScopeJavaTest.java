package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Context headers from Java: a HeadersScope opened on the sending thread, read by every non-suspending send. */
class HeadersScopeJavaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    private static KProducer<String, String> producer(EmbeddedKafka kafka, boolean copyContextHeaders) {
        return KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .copyContextHeaders(copyContextHeaders)
                .build();
    }

    private static List<ConsumerRecord<String, String>> read(EmbeddedKafka kafka, String topic, int count) {
        return kafka.readStrings(topic, count);
    }

    /** The record's values of header [name], in order, as text. */
    private static List<String> header(ConsumerRecord<String, String> record, String name) {
        return java.util.stream.StreamSupport.stream(record.headers().headers(name).spliterator(), false)
                .map(Header::value)
                .map(String::new)
                .toList();
    }

    @Test
    void everyNonSuspendingSendOnTheThreadCarriesTheScopesHeaders(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("scope-sends");
        try (KProducer<String, String> producer = producer(kafka, true)) {
            try (HeadersScope scope = HeadersContext.open(Map.of("trace-id", "t-1", "tenant", "acme"))) {
                producer.sendAsync("scope-sends", "k", "sendAsync").get(30, TimeUnit.SECONDS);
                producer.offer("scope-sends", "k", "offer");
                producer.sendAllAsync(List.of(new ProducerRecord<>("scope-sends", "k", "sendAllAsync"))).get(30, TimeUnit.SECONDS);
                producer.sendAllSettledAsync(List.of(new ProducerRecord<>("scope-sends", "k", "sendAllSettledAsync"))).get(30, TimeUnit.SECONDS);
                ProducerRecord<String, String> own = new ProducerRecord<>("scope-sends", "k", "own header");
                own.headers().add("tenant", "globex".getBytes());
                producer.sendAsync(own).get(30, TimeUnit.SECONDS);
            }
            producer.sendAsync("scope-sends", "k", "after close").get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> read = read(kafka, "scope-sends", 6);
        assertThat(read).extracting(ConsumerRecord::value)
                .containsExactly("sendAsync", "offer", "sendAllAsync", "sendAllSettledAsync", "own header", "after close");
        for (ConsumerRecord<String, String> record : read.subList(0, 4)) {
            assertThat(header(record, "trace-id")).as(record.value()).containsExactly("t-1");
            assertThat(header(record, "tenant")).as(record.value()).containsExactly("acme");
        }
        assertThat(header(read.get(4), "tenant")).as("a header the record has is kept, not doubled").containsExactly("globex");
        assertThat(header(read.get(4), "trace-id")).containsExactly("t-1");
        assertThat(read.get(5).headers().toArray()).as("no scope open").isEmpty();
    }

    @Test
    void theSendsOfBothTransactionFormsCarryTheCallersScope(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("scope-tx");
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .transactionalId("scope-tx")
                .copyContextHeaders(true)
                .build();
                HeadersScope scope = HeadersContext.open(Map.of("trace-id", "t-tx"))) {
            producer.inTransaction(tx -> {
                tx.sendAsync("scope-tx", "k", "inTransaction sendAsync");
                tx.offer("scope-tx", "k", "inTransaction offer");
                return tx.sendAllAsync(List.of(new ProducerRecord<>("scope-tx", "k", "inTransaction sendAllAsync")));
            });
            // The block of transactionAsync runs on another thread, with the scope open when it was called.
            producer.transactionAsync(tx -> tx.sendAsync("scope-tx", "k", "transactionAsync sendAsync")).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> read = kafka.readStrings("scope-tx", 4, IsolationLevel.READ_COMMITTED);
        assertThat(read).extracting(ConsumerRecord::value).containsExactly(
                "inTransaction sendAsync", "inTransaction offer", "inTransaction sendAllAsync", "transactionAsync sendAsync");
        for (ConsumerRecord<String, String> record : read) {
            assertThat(header(record, "trace-id")).as(record.value()).containsExactly("t-tx");
        }
    }

    @Test
    void aNestedScopeReplacesTheOuterOneUntilItIsClosed(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("scope-nested");
        try (KProducer<String, String> producer = producer(kafka, true)) {
            try (HeadersScope outer = HeadersContext.open(Map.of("tenant", "acme"))) {
                try (HeadersScope inner = HeadersContext.open(Map.of("trace-id", "t-inner"))) {
                    producer.sendAsync("scope-nested", "k", "inner").get(30, TimeUnit.SECONDS);
                }
                producer.sendAsync("scope-nested", "k", "outer again").get(30, TimeUnit.SECONDS);
            }
        }
        List<ConsumerRecord<String, String>> read = read(kafka, "scope-nested", 2);
        assertThat(header(read.get(0), "trace-id")).containsExactly("t-inner");
        assertThat(header(read.get(0), "tenant")).as("the inner scope replaces the outer one").isEmpty();
        assertThat(header(read.get(1), "tenant")).containsExactly("acme");
        assertThat(header(read.get(1), "trace-id")).isEmpty();
    }

    @Test
    void withoutCopyContextHeadersTheScopeAddsNothing(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("scope-off");
        try (KProducer<String, String> producer = producer(kafka, false);
                HeadersScope scope = HeadersContext.open(Map.of("trace-id", "t-off"))) {
            producer.sendAsync("scope-off", "k", "v").get(30, TimeUnit.SECONDS);
        }
        assertThat(read(kafka, "scope-off", 1).get(0).headers().toArray()).isEmpty();
    }

    @Test
    void theScopeIsTheOpeningThreadsAloneAndOnlyThatThreadClosesIt(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("scope-threads");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (KProducer<String, String> producer = producer(kafka, true)) {
            HeadersScope scope = HeadersContext.open(Map.of("trace-id", "t-main"));
            // Another thread sees no scope, and cannot close this one: it stays open.
            other.submit(() -> producer.sendAsync("scope-threads", "k", "other thread").get(30, TimeUnit.SECONDS)).get(30, TimeUnit.SECONDS);
            Future<?> closing = other.submit(scope::close);
            assertThatThrownBy(() -> closing.get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("HeadersScope.close() was called on thread")
                    .hasMessageContaining("belongs to thread '" + Thread.currentThread().getName() + "'");
            producer.sendAsync("scope-threads", "k", "still open").get(30, TimeUnit.SECONDS);
            scope.close();
            scope.close(); // closing again does nothing
            other.submit(scope::close).get(30, TimeUnit.SECONDS); // nor from another thread, once closed
            producer.sendAsync("scope-threads", "k", "closed").get(30, TimeUnit.SECONDS);
        } finally {
            other.shutdownNow();
        }
        List<ConsumerRecord<String, String>> read = read(kafka, "scope-threads", 3);
        assertThat(read).extracting(ConsumerRecord::value).containsExactly("other thread", "still open", "closed");
        assertThat(header(read.get(0), "trace-id")).isEmpty();
        assertThat(header(read.get(1), "trace-id")).containsExactly("t-main");
        assertThat(header(read.get(2), "trace-id")).isEmpty();
    }

    @Test
    void closingTheOuterScopeBeforeTheInnerIsRefusedAndChangesNothing() {
        HeadersScope outer = HeadersContext.open(Map.of("tenant", "acme"));
        HeadersScope inner = HeadersContext.open(Map.of("trace-id", "t-1"));
        try {
            assertThatThrownBy(outer::close)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("HeadersScope.close() was called while a scope opened inside it")
                    .hasMessageContaining("close the inner scope first");
            assertThat(outer.toString()).doesNotContain("closed");
        } finally {
            inner.close();
            outer.close();
        }
        assertThat(outer.toString()).isEqualTo("HeadersScope([tenant], closed)");
    }

    @Test
    void aNullHeaderValueIsRefusedNamingTheCall() {
        Map<String, String> entries = new HashMap<>();
        entries.put("trace-id", null);
        assertThatThrownBy(() -> HeadersContext.open(entries))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HeadersContext.open(entries): the value of header 'trace-id' is null");
    }

    @Test
    void theScopeCopiesItsEntries(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("scope-copy");
        Map<String, String> entries = new HashMap<>(Map.of("trace-id", "t-before"));
        try (KProducer<String, String> producer = producer(kafka, true); HeadersScope scope = HeadersContext.open(entries)) {
            entries.put("trace-id", "t-after");
            producer.sendAsync("scope-copy", "k", "v").get(30, TimeUnit.SECONDS);
        }
        assertThat(header(read(kafka, "scope-copy", 1).get(0), "trace-id")).containsExactly("t-before");
    }
}
