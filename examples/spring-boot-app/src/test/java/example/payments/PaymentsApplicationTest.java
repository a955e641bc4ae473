package example.payments;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.spring.boot.test.AutoConfigureEmbeddedKafka;
import io.github.kproducer.testkit.EmbeddedKafka;
import io.github.kproducer.testkit.faults.Faults;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The service as it runs, in a real Boot context with a web server, against the test kit's broker behind its fault
 * proxy: no {@code @DynamicPropertySource}, no glue beans.
 */
// region readme:spring-boot-test
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureEmbeddedKafka(faultProxy = true, topics = {"payments", "ledger"})
class PaymentsApplicationTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafka kafka; // the broker of this context, with its fault proxy
    // endregion

    @Autowired
    MeterRegistry meters;

    private HttpResponse<String> post(String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPublishedPaymentIsOnTheTopicAsJsonKeyedByAccount() throws Exception {
        HttpResponse<String> response = post("/payments", "{\"id\":\"p-1\",\"account\":\"acc-7\",\"cents\":4200}");
        assertThat(response.statusCode()).isEqualTo(201);
        List<ConsumerRecord<String, String>> records = kafka.read("payments", new StringDeserializer(), new StringDeserializer(),
                Duration.ofSeconds(30), IsolationLevel.READ_UNCOMMITTED, read -> read.stream().anyMatch(r -> "acc-7".equals(r.key())));
        assertThat(records).filteredOn(r -> "acc-7".equals(r.key()))
                .extracting(ConsumerRecord::value)
                .containsExactly("{\"id\":\"p-1\",\"account\":\"acc-7\",\"cents\":4200}");
    }

    @Test
    void aSettlementIsWrittenInOneTransaction() throws Exception {
        HttpResponse<String> response = post("/payments/settlements",
                "[{\"id\":\"s-1\",\"account\":\"acc-1\",\"cents\":100},{\"id\":\"s-2\",\"account\":\"acc-2\",\"cents\":250}]");
        assertThat(response.statusCode()).isEqualTo(201);
        List<ConsumerRecord<String, String>> committed = kafka.read("ledger", new StringDeserializer(), new StringDeserializer(),
                Duration.ofSeconds(30), IsolationLevel.READ_COMMITTED, read -> read.size() >= 2);
        assertThat(committed).extracting(ConsumerRecord::value).contains("settled s-1 100", "settled s-2 250");
    }

    // region readme:spring-boot-fault
    @Test
    void aBrokerThatRefusesThePaymentIsA503WithKafkasReasonAndTheServiceRecovers() throws Exception {
        try (Faults ignored = kafka.faults(f -> f.requests(ApiKeys.PRODUCE).respond(Errors.INVALID_RECORD))) {
            HttpResponse<String> refused = post("/payments", "{\"id\":\"p-2\",\"account\":\"acc-8\",\"cents\":1}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("InvalidRecordException");
        }
        assertThat(post("/payments", "{\"id\":\"p-3\",\"account\":\"acc-8\",\"cents\":1}").statusCode()).isEqualTo(201);
    }
    // endregion

    @Test
    void metersAndAnObservationPerSendReachBootsRegistriesAndHealthIsReported() throws Exception {
        assertThat(post("/payments", "{\"id\":\"p-4\",\"account\":\"acc-9\",\"cents\":5}").statusCode()).isEqualTo(201);
        // kproducer's counter, tagged with the producer's bean name.
        assertThat(meters.get("kproducer.records.acknowledged").tag("spring.id", "kproducer").functionCounter().count()).isGreaterThanOrEqualTo(1.0);
        // The Observation of each send, turned into a timer by Boot's default meter handler.
        assertThat(meters.get("kproducer.send").tag("messaging.destination.name", "payments").timer().count()).isGreaterThanOrEqualTo(1);
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("\"kproducer\"").contains("\"ledger\"");
    }
}
