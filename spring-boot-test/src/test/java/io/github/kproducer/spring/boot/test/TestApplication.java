package io.github.kproducer.spring.boot.test;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.Bean;

/** The application under test: no auto-configuration, one plain Kafka producer on {@code spring.kafka.bootstrap-servers}. */
@SpringBootConfiguration
public class TestApplication {
    /** How long a send may take before the producer gives up: bounds every send of the tests, faults included. */
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    BoundedProducer producer(@Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
        return new BoundedProducer(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    /** A String producer whose {@code close()}, called when the context closes, waits at most 5 seconds. */
    static final class BoundedProducer extends KafkaProducer<String, String> {
        BoundedProducer(Map<String, Object> config) {
            super(config, new StringSerializer(), new StringSerializer());
        }

        @Override
        public void close() {
            close(Duration.ofSeconds(5));
        }
    }
}
