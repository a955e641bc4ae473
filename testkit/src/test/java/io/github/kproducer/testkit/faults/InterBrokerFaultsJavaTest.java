package io.github.kproducer.testkit.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults between brokers in Java: replication cut and slowed, a broker cut off from the controller. */
class InterBrokerFaultsJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(c -> c
            .brokers(3)
            .faultProxy(true)
            // Kafka's defaults (30 s, 9 s) would make each test wait that long.
            .brokerProperty("replica.lag.time.max.ms", 3000)
            .brokerProperty("broker.session.timeout.ms", 3000)
            .brokerProperty("broker.heartbeat.interval.ms", 500));

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String acks) {
        Map<String, Object> config = new HashMap<>(kafka.connectionProperties());
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.RETRIES_CONFIG, 0);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static TopicPartitionInfo partition(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        return description.partitions().get(0);
    }

    private static Set<Integer> isr(TopicPartitionInfo partition) {
        return partition.isr().stream().map(Node::id).collect(Collectors.toSet());
    }

    /** Waits, at most 30 s, until {@code check(leader, isr)} holds for partition 0 of {@code topic}. */
    private static void await(Admin admin, String topic, String what, BiPredicate<Integer, Set<Integer>> check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "nothing";
        while (true) {
            TopicPartitionInfo partition = partition(admin, topic);
            int leader = partition.leader() == null ? -1 : partition.leader().id();
            last = "leader " + leader + ", ISR " + isr(partition);
            if (check.test(leader, isr(partition))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(topic + "-0: " + what + " did not happen within 30 s; last seen: " + last);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void cutReplicationShrinksTheIsrAndMinInsyncReplicasRefusesAcksAll(EmbeddedKafka kafka) throws Exception {
        String topic = "java-ib-cut";
        kafka.createTopic(topic, 1, 2, Map.of("min.insync.replicas", "2"));
        Admin admin = Admin.create(kafka.connectionProperties());
        try (KafkaProducer<String, String> producer = producer(kafka, "all");
                KafkaProducer<String, String> acksOne = producer(kafka, "1")) {
            TopicPartitionInfo info = partition(admin, topic);
            int leader = info.leader().id();
            int follower = info.replicas().stream().mapToInt(Node::id).filter(id -> id != leader).findFirst().orElseThrow();
            await(admin, topic, "a full ISR", (l, isr) -> isr.equals(Set.of(leader, follower)));
            // region readme:faults-replication
            // a topic with replicas [leader, follower] and min.insync.replicas=2;
            // producer: acks=all, retries=0; acksOne: acks=1; brokers with replica.lag.time.max.ms=3000
            try (Faults faults = kafka.faults(f -> f.cutReplication(leader, follower))) {
                acksOne.send(new ProducerRecord<>(topic, "k", "unreplicated")).get(30, TimeUnit.SECONDS);
                await(admin, topic, "the ISR shrinking", (l, isr) -> isr.equals(Set.of(leader)));
                ExecutionException error = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS));
                assertEquals(NotEnoughReplicasException.class, error.getCause().getClass());
            }
            // healed: the follower catches up and rejoins the ISR
            await(admin, topic, "the follower rejoining the ISR", (l, isr) -> isr.equals(Set.of(leader, follower)));
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
            // endregion
        } finally {
            admin.close(Duration.ofSeconds(5)); // bounded: a call that timed out may still be pending
        }
    }

    @Test
    void slowedReplicationHoldsAcksAllForAtLeastTheLatency(EmbeddedKafka kafka) throws Exception {
        String topic = "java-ib-slow";
        kafka.createTopic(topic, 1, 2, Map.of("min.insync.replicas", "2"));
        Admin admin = Admin.create(kafka.connectionProperties());
        try (KafkaProducer<String, String> producer = producer(kafka, "all")) {
            TopicPartitionInfo info = partition(admin, topic);
            int leader = info.leader().id();
            int follower = info.replicas().stream().mapToInt(Node::id).filter(id -> id != leader).findFirst().orElseThrow();
            await(admin, topic, "a full ISR", (l, isr) -> isr.equals(Set.of(leader, follower)));
            producer.send(new ProducerRecord<>(topic, "k", "warm")).get(30, TimeUnit.SECONDS);
            Duration latency = Duration.ofMillis(300);
            try (Faults faults = kafka.faults(f -> f.slowReplication(leader, follower, latency, 1_000_000))) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, "k", "slow")).get(30, TimeUnit.SECONDS);
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(elapsedMs >= latency.toMillis(), "an acks=all send took " + elapsedMs + " ms, less than the latency");
            }
        } finally {
            admin.close(Duration.ofSeconds(5)); // bounded: a call that timed out may still be pending
        }
    }

    @Test
    void aBrokerCutOffFromTheControllerIsFencedUntilHealed(EmbeddedKafka kafka) throws Exception {
        String topic = "java-ib-fenced";
        kafka.createTopic(topic, 1, 3, Map.of());
        Admin admin = Admin.create(kafka.connectionProperties());
        try {
            await(admin, topic, "a full ISR", (l, isr) -> isr.size() == 3);
            int isolated = partition(admin, topic).leader().id();
            try (Faults faults = kafka.faults(f -> f.isolateFromController(isolated))) {
                await(admin, topic, "the leadership moving away", (l, isr) -> l != isolated && l != -1 && !isr.contains(isolated));
                Set<Integer> alive = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toSet());
                assertFalse(alive.contains(isolated), "broker " + isolated + " is fenced, yet listed alive: " + alive);
            }
            await(admin, topic, "the broker rejoining the ISR", (l, isr) -> isr.size() == 3);
        } finally {
            admin.close(Duration.ofSeconds(5)); // bounded: a call that timed out may still be pending
        }
    }
}
