package io.github.kproducer.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** The README's SASL producer from Java, and what SendErrors says to do with each failure. */
class SecurityJavaTest {
    private final List<String> outcomes = new ArrayList<>();

    private void rebuildProducer(Exception e) {
        outcomes.add("rebuild: " + cause(e));
    }

    private void retryLater(Exception e) {
        outcomes.add("retry: " + cause(e));
    }

    private void deadLetter(String key, String value, Exception e) {
        outcomes.add("dead letter " + key + ": " + cause(e));
    }

    private static String cause(Exception e) {
        return (e instanceof ExecutionException ? e.getCause() : e).getClass().getSimpleName();
    }

    private void publish(EmbeddedKafka kafka, String username, String password, String topic, String key, String value) throws Exception {
        // region readme:java-security
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(kafka.getBootstrapServers())
                .securityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .sasl(sasl -> {
                    sasl.mechanism(SaslMechanism.SCRAM_SHA_512);
                    sasl.username(username);
                    sasl.password(password);                      // toString() and logs show [hidden]
                })
                .maxBlock(Duration.ofSeconds(5))
                .build()) {
            try {
                producer.sendAsync(topic, key, value).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (SendErrors.isFatal(e)) rebuildProducer(e);             // fenced, authentication failed, ...
                else if (SendErrors.isRetriable(e)) retryLater(e);         // Kafka already retried until deliveryTimeout
                else deadLetter(key, value, e);                            // this record: too large, not authorised, bad data
            }
        }
        // endregion
    }

    @Test
    void saslProducerAndWhatToDoWithEachFailure() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config -> {
            config.saslUser("alice", "alice-secret");
            config.saslUser("mallory", "mallory-secret");
            config.acls(true);
            config.autoCreateTopics(false);
        })) {
            kafka.createTopic("payments");
            kafka.allowProducing("alice", "payments");
            kafka.allowProducing("alice", "refunds"); // allowed, but never created: its metadata never comes

            publish(kafka, "alice", "alice-secret", "payments", "p-1", "charge");
            publish(kafka, "alice", "wrong-secret", "payments", "p-2", "charge");
            publish(kafka, "mallory", "mallory-secret", "payments", "p-3", "steal");
            publish(kafka, "alice", "alice-secret", "refunds", "r-1", "refund");

            assertThat(outcomes).containsExactly(
                    "rebuild: " + SaslAuthenticationException.class.getSimpleName(),
                    "dead letter p-3: " + TopicAuthorizationException.class.getSimpleName(),
                    "retry: " + TimeoutException.class.getSimpleName());
            assertThat(kafka.readAllStrings("payments", IsolationLevel.READ_UNCOMMITTED))
                    .extracting(ConsumerRecord::key)
                    .containsExactly("p-1");
        }
    }
}
