package io.github.kproducer.testkit.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.history.HistoryCheck;
import io.github.kproducer.testkit.history.SendHistory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The nemesis and the history checker from Java, on Kafka's own producer. */
class NemesisJavaExampleTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(c -> c.faultProxy(true));

    @Test
    void anIdempotentKafkaProducerLosesNothingThroughASeededSchedule(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-history", 2);
        Map<String, Object> settings = new HashMap<>(kafka.connectionProperties());
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000); // a dropped answer is retried within its step
        // region readme:java-nemesis
        SendHistory history = new SendHistory();
        Nemesis nemesis = kafka.nemesis(3, n -> n
                .faults(NemesisFault.DROPPED_ANSWERS, NemesisFault.PRODUCE_ERRORS, NemesisFault.LATENCY)
                .steps(4)
                .stepLength(Duration.ofMillis(500)));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
             nemesis) {
            for (int i = 0; !nemesis.isFinished(); i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>("java-history", "key-" + (i % 4), "value-" + i);
                producer.send(record, history.attempt(record)); // the callback records what the producer was told
                Thread.sleep(1);
            }
            producer.flush();
        }
        HistoryCheck check = history.check(kafka.readAllStrings("java-history"), nemesis);
        check.assertReliable(); // else: an AssertionError listing what was lost, duplicated or reordered, with the seed and schedule
        // endregion
        assertEquals(4, nemesis.stepsStarted());
        assertEquals(history.size(), check.getAcknowledged());
        assertTrue(check.isReliable(), check::describe);
    }
}
