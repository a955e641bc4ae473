package io.github.kproducer.spring.boot.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The broker the first of {@link SharedBrokerFirstTest} and {@link SharedBrokerSecondTest} to run saw; the second
 * checks it sees the same one, still running (whichever order the classes run in).
 */
final class SharedBroker {
    private static final AtomicReference<EmbeddedKafka> SEEN = new AtomicReference<>();

    private SharedBroker() {}

    /** Checks [kafka] is the broker the other class saw, still running, and that [producer] of class [who] reaches it. */
    static void check(EmbeddedKafka kafka, KafkaProducer<String, String> producer, String who) throws Exception {
        if (!SEEN.compareAndSet(null, kafka)) {
            assertThat(kafka).as("the broker of the other class with the same annotation").isSameAs(SEEN.get());
        }
        assertThat(kafka.isRunning(1)).isTrue();
        producer.send(new ProducerRecord<>("audit", who, "sent")).get(30, TimeUnit.SECONDS);
        kafka.readStrings("audit", 1, Duration.ofSeconds(30));
    }
}
