package io.github.kproducer.spring.boot.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

@SpringBootTest(classes = TestApplication.class)
@AutoConfigureEmbeddedKafka(topics = "payments")
class AutoConfigureEmbeddedKafkaTest {
    @Autowired
    EmbeddedKafka kafka;

    @Autowired
    KafkaProducer<String, String> producer;

    @Autowired
    ApplicationContext context;

    @Autowired
    ConfigurableEnvironment environment;

    @Value("${spring.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Test
    void bootstrapServersPropertyResolvesToTheBroker() {
        assertThat(bootstrapServers).isEqualTo(kafka.getBootstrapServers()).startsWith("127.0.0.1:");
        PropertySource<?> source = environment.getPropertySources().get("kproducerEmbeddedKafka");
        assertThat(source).isNotNull();
        assertThat(source.getProperty("spring.kafka.bootstrap-servers")).isEqualTo(kafka.getBootstrapServers());
    }

    @Test
    void bootstrapServersPropertySourceWinsOverTheTestsOwnProperties() {
        List<String> names = environment.getPropertySources().stream()
                .map(PropertySource::getName)
                .filter(name -> !name.equals("configurationProperties"))
                .toList();
        assertThat(names).first().isEqualTo("kproducerEmbeddedKafka");
    }

    @Test
    void aSendThroughTheContextsProducerIsReadBackFromTheBroker() throws Exception {
        RecordMetadata sent = producer.send(new ProducerRecord<>("payments", "order-1", "paid")).get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<String, String>> records = kafka.readStrings("payments", 1, Duration.ofSeconds(30));

        assertThat(sent.topic()).isEqualTo("payments");
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("order-1");
            assertThat(record.value()).isEqualTo("paid");
        });
    }

    @Test
    void theEmbeddedKafkaBeanIsInjectableByTypeAndByName() {
        assertThat(context.getBean("embeddedKafka")).isSameAs(kafka);
        assertThat(context.getBeansOfType(EmbeddedKafka.class)).containsOnlyKeys("embeddedKafka");
        assertThat(kafka.isRunning(1)).isTrue();
        assertThat(kafka.getSettings().getBrokers()).isEqualTo(1);
        assertThat(kafka.getSettings().getFaultProxy()).isFalse();
    }

    @Test
    void theTopicsOfTheAnnotationExistWhenTheContextIsLoaded() throws Exception {
        try (var admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("payments");
        }
    }

    @Nested
    class NestedTests {
        @Autowired
        EmbeddedKafka nestedKafka;

        @Test
        void aNestedClassSharesTheBrokerOfItsEnclosingClass() {
            assertThat(nestedKafka).isSameAs(AutoConfigureEmbeddedKafkaTest.this.kafka);
        }
    }
}
