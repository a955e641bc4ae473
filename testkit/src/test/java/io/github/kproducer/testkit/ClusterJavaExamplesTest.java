package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** testkit/README.md's Java examples of clusters: three brokers with one stopped, a whole-cluster outage, and SASL users with ACLs. */
class ClusterJavaExamplesTest {

    @Test
    void threeBrokersKeepServingWhileOneIsStopped() throws Exception {
        // region readme:three-brokers
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config -> config.brokers(3))) {
            kafka.createTopic("replicated", 3, 3, Map.of("min.insync.replicas", "2"));
            var props = new HashMap<>(kafka.connectionProperties());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("replicated", "k", "before")).get(30, TimeUnit.SECONDS);
                int stopped = kafka.getBrokerIds().get(0);
                kafka.stopBroker(stopped);          // two of three replicas stay in sync: acks=all still succeeds
                producer.send(new ProducerRecord<>("replicated", "k", "during")).get(30, TimeUnit.SECONDS);
                kafka.startBroker(stopped);         // returns once the broker is back in every ISR
                producer.send(new ProducerRecord<>("replicated", "k", "after")).get(30, TimeUnit.SECONDS);
            }
            assertThat(kafka.readStrings("replicated", 3))
                    .hasSize(3)
                    .preservesOrderPerKey(List.of(
                            new ProducerRecord<>("replicated", "k", "before"),
                            new ProducerRecord<>("replicated", "k", "during"),
                            new ProducerRecord<>("replicated", "k", "after")))
                    .keepsEachKeyInOnePartition();
        }
        // endregion
    }

    @Test
    void aWholeClusterOutageAndTheSameProducerAfterIt() throws Exception {
        // region readme:outage
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("payments");
            var props = new HashMap<>(kafka.connectionProperties());
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
            List<ProducerRecord<String, String>> stored = new ArrayList<>();
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                var before = new ProducerRecord<>("payments", "p-1", "before");
                producer.send(before).get(30, TimeUnit.SECONDS);
                stored.add(before);
                kafka.stopAllBrokers();             // nothing answers; data and addresses are kept
                // Kafka 4's client may now rebootstrap and forget the topic: then send blocks for max.block.ms and fails.
                var during = new ProducerRecord<>("payments", "p-1", "during");
                Future<RecordMetadata> sent = producer.send(during);
                kafka.startAllBrokers();            // returns once every partition is led and serving
                try {
                    sent.get(60, TimeUnit.SECONDS); // or it waited in the producer, and is delivered now
                    stored.add(during);
                } catch (ExecutionException e) {
                    Assertions.assertThat(e.getCause()).isInstanceOf(TimeoutException.class).hasMessageContaining("not present in metadata");
                }
                var after = new ProducerRecord<>("payments", "p-1", "after");
                producer.send(after).get(30, TimeUnit.SECONDS); // the same producer sends again
                stored.add(after);
            }
            assertThat(kafka.readAllStrings("payments", IsolationLevel.READ_UNCOMMITTED))
                    .hasSize(stored.size())
                    .preservesOrderPerKey(stored);
        }
        // endregion
    }

    @Test
    void saslUsersProduceOnlyWhereTheAclsAllow() throws Exception {
        // region readme:sasl-acls
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config -> {
            config.saslUser("alice", "alice-secret");
            config.saslUser("mallory", "mallory-secret");
            config.acls(true);                   // deny what no ACL allows
        })) {
            kafka.createTopic("payments");          // as the test kit's super user
            kafka.allowProducing("alice", "payments");
            try (var alice = new KafkaProducer<>(kafka.connectionProperties("alice"), new StringSerializer(), new StringSerializer())) {
                alice.send(new ProducerRecord<>("payments", "p-1", "charge")).get(30, TimeUnit.SECONDS);
            }
            var props = new HashMap<>(kafka.connectionProperties("mallory", "SCRAM-SHA-512"));
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            try (var mallory = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> mallory.send(new ProducerRecord<>("payments", "p-2", "steal")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            assertThat(kafka.readAllStrings("payments", IsolationLevel.READ_UNCOMMITTED))
                    .hasSize(1)
                    .containsRecord(t -> {
                        t.key("p-1");
                        t.value("charge");
                    });
        }
        // endregion
    }
}
