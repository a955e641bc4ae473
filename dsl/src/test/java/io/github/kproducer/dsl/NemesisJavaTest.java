package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import io.github.kproducer.testkit.history.HistoryCheck;
import io.github.kproducer.testkit.history.SendHistory;
import io.github.kproducer.testkit.nemesis.Nemesis;
import io.github.kproducer.testkit.nemesis.NemesisFault;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A seeded nemesis and the history checker from Java: what the producer was told against what is on the topic. */
class NemesisJavaTest {

    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(c -> c.faultProxy(true));

    @Test
    void aReliableProducerKeepsEveryRecordThroughASeededSchedule(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("java-nemesis", 3);
        // region readme:java-nemesis
        SendHistory history = new SendHistory();
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        Nemesis nemesis = kafka.nemesis(7, n -> n
                .faults(NemesisFault.PRODUCE_ERRORS, NemesisFault.DELAYED_ANSWERS, NemesisFault.CUT_CONNECTIONS)
                .steps(4));
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .reliable()
                .build();
             nemesis) {
            for (int i = 0; !nemesis.isFinished(); i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>("java-nemesis", "key-" + (i % 5), "value-" + i);
                sends.add(history.sendAsync(record, producer::sendAsync));
                if (sends.size() % 100 == 0) sends.get(sends.size() - 1).get(60, TimeUnit.SECONDS); // keep a bounded window
            }
            producer.flushAsync().get(60, TimeUnit.SECONDS);
        }
        HistoryCheck check = history.check(kafka.readAllStrings("java-nemesis"), nemesis).assertReliable();
        // endregion
        assertThat(nemesis.stepsStarted()).isEqualTo(4);
        assertThat(check.getAcknowledged()).isEqualTo(sends.size());
        assertThat(check.getDuplicated()).isEmpty();
        assertThat(check.describe()).contains("The history is reliable").contains("Nemesis seed 7, 4 steps (4 started)");
    }
}
