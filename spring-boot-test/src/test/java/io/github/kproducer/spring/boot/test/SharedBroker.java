package io.github.kproducer.spring.boot.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broker the first of {@link SharedBrokerFirstTest} and {@link SharedBrokerSecondTest} to run saw; the second
 * checks it sees the same one, still running (whichever order the classes run in).
 */
final class SharedBroker {
    private static final AtomicReference<EmbeddedKafka> SEEN = new AtomicReference<>();

    private SharedBroker() {}

    static void check(EmbeddedKafka kafka) {
        if (!SEEN.compareAndSet(null, kafka)) {
            assertThat(kafka).as("the broker of the other class with the same annotation").isSameAs(SEEN.get());
        }
        assertThat(kafka.isRunning(1)).isTrue();
    }
}
