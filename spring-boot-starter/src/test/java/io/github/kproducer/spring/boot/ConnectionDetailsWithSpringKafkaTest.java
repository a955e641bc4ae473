package io.github.kproducer.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.dsl.KProducer;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * With Boot's Kafka module on the class path (the only run that has it), a {@code KafkaConnectionDetails} bean, what a
 * {@code @ServiceConnection} container contributes, says where the brokers are, over {@code spring.kafka.bootstrap-servers}.
 */
class ConnectionDetailsWithSpringKafkaTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    @Test
    void connectionDetailsWinOverSpringKafkaProperties(EmbeddedKafka kafka) {
        kafka.createTopic("boot-service-connection");
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KProducerAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=localhost:1")
                .withBean(KafkaConnectionDetails.class, () -> () -> List.of(kafka.getBootstrapServers()))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    @SuppressWarnings("unchecked")
                    KProducer<String, String> producer = context.getBean(KProducer.class);
                    producer.sendAsync("boot-service-connection", "k", "v").get(30, TimeUnit.SECONDS);
                });
        assertThat(kafka.readStrings("boot-service-connection", 1)).hasSize(1);
    }
}
