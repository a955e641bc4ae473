package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafkaSettings;
import io.github.kproducer.testkit.MockKafkaProducer;
import io.github.kproducer.testkit.MockKafkaProducerConfig;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What a Java caller reads back and configures: java.time.Duration getters, fluent configs, Java types. */
class JavaSurfaceJavaTest {
    @Test
    void compressionLevelsAreJavaIntegers() {
        assertThat(Compression.ZSTD.getMinLevel()).isEqualTo(-131072);
        assertThat(Compression.ZSTD.getMaxLevel()).isEqualTo(22);
        assertThat(Compression.GZIP.getMaxLevel()).isEqualTo(9);
        assertThat(Compression.SNAPPY.getMinLevel()).isNull();
    }

    @Test
    void producerSettingsReadBackAsJavaDurations() {
        KProducerSettings<String, String> settings = KProducer.builder(new StringSerializer(), new StringSerializer())
                .bootstrapServers("host1:9092")
                .closeTimeout(Duration.ofSeconds(5))
                .linger(Duration.ofMillis(20))
                .securityProtocol(SecurityProtocol.SASL_SSL)
                .sasl(sasl -> sasl.mechanism(SaslMechanism.SCRAM_SHA_512).username("payments").password("s3cret"))
                .buildSettings();

        assertThat(settings.getCloseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.getProperties()).containsEntry("linger.ms", 20L).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void embeddedKafkaSettingsAreConfiguredFluentlyAndReadBackAsJavaDurations() {
        EmbeddedKafkaSettings settings = EmbeddedKafkaSettings.builder()
                .brokers(3)
                .defaultPartitions(6)
                .autoCreateTopics(false)
                .faultProxy(true)
                .startupTimeout(Duration.ofSeconds(90))
                .build();

        assertThat(settings.getBrokers()).isEqualTo(3);
        assertThat(settings.getDefaultPartitions()).isEqualTo(6);
        assertThat(settings.getAutoCreateTopics()).isFalse();
        assertThat(settings.getFaultProxy()).isTrue();
        assertThat(settings.getStartupTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void mockProducerConfigIsFluent() {
        MockKafkaProducer<String, String> producer = MockKafkaProducer.create(new StringSerializer(), new StringSerializer(),
                config -> config.topic("orders", 3).autoCreateTopics(false).completion(MockKafkaProducerConfig.Completion.MANUAL));

        producer.send(new ProducerRecord<>("orders", "o-1", "created"));

        assertThat(producer.pending()).hasSize(1);
        assertThat(producer.completeNext()).isTrue();
        assertThat(producer.acknowledged()).hasSize(1);
    }
}
