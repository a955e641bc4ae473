package io.github.kproducer.spring.boot.test;

import io.github.kproducer.testkit.EmbeddedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** With the same annotation as {@link SharedBrokerSecondTest}, so the same context and broker. */
@SpringBootTest(classes = TestApplication.class)
@AutoConfigureEmbeddedKafka(topics = "audit")
class SharedBrokerFirstTest {
    @Autowired
    EmbeddedKafka kafka;

    @Autowired
    KafkaProducer<String, String> producer;

    @Test
    void sharesOneRunningBrokerWithTheOtherClass() throws Exception {
        SharedBroker.check(kafka, producer, "first");
    }
}
