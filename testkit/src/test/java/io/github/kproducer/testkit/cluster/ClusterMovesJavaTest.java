package io.github.kproducer.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.ClientQuota;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leader and coordinator moves and quotas from Java. */
class ClusterMovesJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(c -> c.brokers(3));

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String clientId) {
        Map<String, Object> settings = new HashMap<>(kafka.connectionProperties());
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
    }

    @Test
    void leadersAndCoordinatorsMoveAndQuotasThrottle(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-moves", 3, 3);
        Map<String, Object> transactional = new HashMap<>(kafka.connectionProperties());
        transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "payments-tx-1");
        try (KafkaProducer<String, String> payments = new KafkaProducer<>(transactional, new StringSerializer(), new StringSerializer())) {
            payments.initTransactions(); // Kafka creates __transaction_state, where coordinators live
        }
        // region readme:java-cluster-moves
        int before = kafka.leaderOf("java-moves", 0);
        int to = before % 3 + 1;
        kafka.moveLeader("java-moves", 0, to);             // a reassignment and an election, through the controller
        Map<Integer, Integer> leaders = kafka.shuffleLeaders("java-moves"); // partition -> its new leader
        kafka.moveTransactionCoordinator("payments-tx-1", kafka.transactionCoordinatorOf("payments-tx-1") % 3 + 1);
        try (ClientQuota quota = kafka.quota("reports", 1024);  // bytes per second, per broker
             KafkaProducer<String, String> producer = producer(kafka, "reports")) {
            producer.send(new ProducerRecord<>("java-moves", "k", "x".repeat(16 * 1024))).get(30, TimeUnit.SECONDS);
            // the answer carried a throttle time: produce-throttle-time-max > 0
        }
        // endregion
        assertNotEquals(before, to);
        assertEquals(3, leaders.size());
        leaders.forEach((partition, leader) -> assertEquals(leader, kafka.leaderOf("java-moves", partition)));
        assertTrue(leaders.get(0) != to, "shuffleLeaders moved partition 0 on from " + to);
    }
}
