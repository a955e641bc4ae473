package io.github.kproducer.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.dsl.KProducer;
import io.github.kproducer.dsl.KProducerConfigException;
import io.github.kproducer.dsl.SendListener;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafkaJUnitExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter in a real Boot application context (Boot's own ApplicationContextRunner, the way Boot tests its
 * auto-configurations) against the embedded broker, on a class path without spring-kafka.
 */
class KProducerAutoConfigurationTest {
    @RegisterExtension
    static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(config -> config.defaultPartitions(1));

    private static ApplicationContextRunner runner(EmbeddedKafka kafka) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KProducerAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers());
    }

    /** A payment as a service has it: no serializer of its own, so it goes as JSON. */
    public record Payment(String id, long cents) {}

    @Test
    void theKProducerBeanSendsWhatBootConfiguresWithSerializersByType(EmbeddedKafka kafka) {
        kafka.createTopic("boot-payments");
        runner(kafka)
                .withPropertyValues("spring.kafka.producer.client-id=payments-service", "spring.kafka.producer.acks=all")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(KProducerFactory.class);
                    @SuppressWarnings("unchecked")
                    KProducer<String, Object> producer = context.getBean(KProducer.class);
                    producer.sendAsync("boot-payments", "p-1", new Payment("p-1", 4200)).get(30, TimeUnit.SECONDS);
                    producer.sendAsync("boot-payments", "p-2", "plain text").get(30, TimeUnit.SECONDS);
                });
        List<ConsumerRecord<String, String>> records = kafka.readStrings("boot-payments", 2);
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("{\"id\":\"p-1\",\"cents\":4200}", "plain text");
    }

    @Test
    void springKafkaSettingsReachKafkaWithTheirBootNamesAndUnknownOnesPassAsKafkaWould(EmbeddedKafka kafka) {
        runner(kafka)
                .withPropertyValues(
                        "spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers() + ",localhost:1",
                        "spring.kafka.client-id=shared",
                        "spring.kafka.producer.client-id=payments",
                        "spring.kafka.producer.batch-size=32KB",
                        "spring.kafka.producer.buffer-memory=16MB",
                        "spring.kafka.producer.compression-type=zstd",
                        "spring.kafka.producer.retries=7",
                        "spring.kafka.properties.schema.registry.url=http://registry:8081",
                        "spring.kafka.properties.linger.ms=3",
                        "spring.kafka.producer.properties.linger.ms=9",
                        "kproducer.properties.request.timeout.ms=11000")
                .run(context -> {
                    Map<String, Object> properties =
                            context.getBean(KProducerFactory.class).builder("probe").buildSettings().getProperties();
                    assertThat(properties)
                            .containsEntry("bootstrap.servers", kafka.getBootstrapServers() + ",localhost:1")
                            .containsEntry("client.id", "payments")
                            .containsEntry("batch.size", 32 * 1024)
                            .containsEntry("buffer.memory", 16L * 1024 * 1024)
                            .containsEntry("compression.type", "zstd")
                            .containsEntry("retries", 7)
                            .containsEntry("linger.ms", "9")
                            .containsEntry("request.timeout.ms", "11000")
                            // Not a producer setting: passed on for a plugin (a serializer), as Kafka would.
                            .containsEntry("schema.registry.url", "http://registry:8081");
                });
    }

    @Test
    void aPresetIsAStartingPointThatSpringKafkaSettingsOverride(EmbeddedKafka kafka) {
        runner(kafka)
                .withPropertyValues("kproducer.preset=reliable", "spring.kafka.producer.properties.linger.ms=20")
                .run(context -> {
                    Map<String, Object> properties =
                            context.getBean(KProducerFactory.class).builder("probe").buildSettings().getProperties();
                    assertThat(properties).containsEntry("acks", "all").containsEntry("enable.idempotence", true).containsEntry("linger.ms", "20");
                });
    }

    @Test
    void aSerializerNamedInSpringKafkaIsUsedAndOneThatContradictsTheBuilderIsANamedProblem(EmbeddedKafka kafka) {
        kafka.createTopic("boot-bytes");
        runner(kafka)
                .withPropertyValues("spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer")
                .run(context -> {
                    @SuppressWarnings("unchecked")
                    KProducer<String, Object> producer = context.getBean(KProducer.class);
                    producer.sendAsync("boot-bytes", "k", "raw".getBytes()).get(30, TimeUnit.SECONDS);
                    KProducerConfigException error = org.junit.jupiter.api.Assertions.assertThrows(
                            KProducerConfigException.class,
                            () -> context.getBean(KProducerFactory.class)
                                    .builder("typed", String.class, String.class)
                                    .valueSerializer(new org.apache.kafka.common.serialization.StringSerializer())
                                    .build());
                    assertThat(error.getMessage())
                            .contains("'value.serializer' is org.apache.kafka.common.serialization.ByteArraySerializer, but .valueSerializer(...) is "
                                    + "org.apache.kafka.common.serialization.StringSerializer");
                });
        assertThat(kafka.readStrings("boot-bytes", 1).get(0).value()).isEqualTo("raw");
    }

    @Configuration(proxyBeanMethods = false)
    static class Listening {
        final List<String> heard = new CopyOnWriteArrayList<>();
        final java.util.concurrent.CountDownLatch acknowledged = new java.util.concurrent.CountDownLatch(1);

        @Bean
        SendListener<Object, Object> auditListener() {
            return new SendListener<>() {
                @Override
                public void onSuccess(ProducerRecord<Object, Object> record, RecordMetadata metadata) {
                    heard.add(record.topic() + "@" + metadata.offset());
                    acknowledged.countDown();
                }
            };
        }

        @Bean
        KProducerBuilderCustomizer tenantHeader() {
            return (name, builder) -> builder.onSend(record -> {
                record.headers().add("producer", name.getBytes());
                return record;
            });
        }
    }

    @Test
    void namedProducersListenerAndCustomizerBeansArePickedUp(EmbeddedKafka kafka) {
        kafka.createTopic("boot-audit");
        runner(kafka)
                .withUserConfiguration(Listening.class)
                .withPropertyValues("kproducer.producers.audit.client-id=audit-client", "kproducer.producers.audit.properties.linger.ms=1")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasBean("kproducer").hasBean("audit");
                    assertThat(context.getBean(KProducer.class)).isSameAs(context.getBean("kproducer"));
                    assertThat(context.getBean(KProducerFactory.class).builder("audit").buildSettings().getProperties())
                            .containsEntry("client.id", "audit-client")
                            .containsEntry("linger.ms", "1");
                    @SuppressWarnings("unchecked")
                    KProducer<Object, Object> audit = (KProducer<Object, Object>) context.getBean("audit");
                    long offset = audit.sendAsync("boot-audit", "a-1", "logged in").get(30, TimeUnit.SECONDS).offset();
                    Listening listening = context.getBean(Listening.class);
                    assertThat(listening.acknowledged.await(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(listening.heard).containsExactly("boot-audit@" + offset);
                });
        ConsumerRecord<String, String> record = kafka.readStrings("boot-audit", 1).get(0);
        assertThat(new String(record.headers().lastHeader("producer").value())).isEqualTo("audit");
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnProducer {
        @Bean
        KProducer<String, Payment> payments(KProducerFactory producers) {
            return producers.create("payments", String.class, Payment.class);
        }
    }

    @Test
    void anApplicationsOwnProducerBeanReplacesTheDefaultAndOffSwitchesEverythingOff(EmbeddedKafka kafka) {
        runner(kafka).withUserConfiguration(OwnProducer.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(KProducer.class).hasBean("payments").doesNotHaveBean("kproducer");
        });
        // kproducer.enabled=false is the starter's documented off switch (a Boot convention), not a test switched off:
        // this checks that it really leaves the context without any kproducer bean.
        runner(kafka).withPropertyValues("kproducer.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(KProducer.class).doesNotHaveBean(KProducerFactory.class);
        });
    }

    @Test
    void anSslBundleIsRefusedWithTheFix(EmbeddedKafka kafka) {
        runner(kafka).withPropertyValues("spring.kafka.ssl.bundle=client").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("spring.kafka.ssl.bundle (client) is not supported")
                    .hasMessageContaining("spring.kafka.ssl.key-store-location");
        });
    }

    @Test
    void withoutJsonATypeKafkaCannotSerializeFailsTheSendNamingTheTypeAndTheFixes() {
        var serializer = new io.github.kproducer.spring.boot.internal.RuntimeTypeSerializer("value", null);
        assertThat(serializer.serialize("t", java.nio.ByteBuffer.wrap(new byte[] {1}).asReadOnlyBuffer())).containsExactly(1);
        assertThat(serializer.serialize("t", 7L)).hasSize(8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> serializer.serialize("t", new Payment("p", 1)))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
                .hasMessageContaining("No serializer for the value type " + Payment.class.getName())
                .hasMessageContaining("set spring.kafka.producer.value-serializer");
    }

    @Test
    void sslStoresFromSpringResourcesAndSaslFromSpringKafkaPropertiesReachKafkaWithSecretsMasked(EmbeddedKafka kafka) throws Exception {
        java.nio.file.Path keyStore = java.nio.file.Files.createTempFile("client", ".p12");
        try {
            runner(kafka)
                    // The application's own producer, so that no producer is built with the empty store.
                    .withBean(KProducer.class, () -> KProducer.wrap(io.github.kproducer.testkit.MockKafkaProducer.create(String.class, String.class)))
                    .withPropertyValues(
                            "spring.kafka.security.protocol=SASL_SSL",
                            "spring.kafka.ssl.key-store-location=file:" + keyStore,
                            "spring.kafka.ssl.key-store-password=store-secret",
                            "spring.kafka.ssl.key-store-type=PKCS12",
                            "spring.kafka.properties.sasl.mechanism=PLAIN",
                            "spring.kafka.properties[sasl.jaas.config]=org.apache.kafka.common.security.plain.PlainLoginModule required "
                                    + "username=\"svc\" password=\"jaas-secret\";")
                    .run(context -> {
                        var settings = context.getBean(KProducerFactory.class).builder("probe").buildSettings();
                        assertThat(settings.getProperties())
                                .containsEntry("security.protocol", "SASL_SSL")
                                .containsEntry("ssl.keystore.location", keyStore.toFile().getAbsolutePath())
                                .containsEntry("ssl.keystore.type", "PKCS12")
                                .containsEntry("sasl.mechanism", "PLAIN");
                        assertThat(settings.toString()).doesNotContain("store-secret").doesNotContain("jaas-secret");
                    });
        } finally {
            java.nio.file.Files.deleteIfExists(keyStore);
        }
    }
}
