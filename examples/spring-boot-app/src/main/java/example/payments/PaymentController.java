package example.payments;

import io.github.kproducer.dsl.KProducer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Publishes payments. {@code POST /payments} answers once Kafka acknowledged the payment (201 with its offset), or
 * with 503 and Kafka's reason when it failed: the caller knows, nothing is lost silently.
 * {@code POST /payments/settlements} writes a settlement's ledger entries in one Kafka transaction.
 */
@RestController
public class PaymentController {
    private final KProducer<String, Payment> payments;
    private final KProducer<String, String> ledger;

    public PaymentController(KProducer<String, Payment> payments, @Qualifier("ledger") KProducer<String, String> ledger) {
        this.payments = payments;
        this.ledger = ledger;
    }

    @PostMapping("/payments")
    public CompletableFuture<ResponseEntity<Map<String, Object>>> publish(@RequestBody Payment payment) {
        return payments.sendAsync("payments", payment.account(), payment)
                .thenApply(PaymentController::created)
                .exceptionally(failure -> ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                        .body(Map.of("error", String.valueOf(failure.getCause() != null ? failure.getCause() : failure))));
    }

    @PostMapping("/payments/settlements")
    public ResponseEntity<Map<String, Object>> settle(@RequestBody List<Payment> settled) {
        int written = ledger.inTransaction(tx -> {
            for (Payment payment : settled) tx.offer("ledger", payment.account(), "settled " + payment.id() + " " + payment.cents());
            return settled.size();
        });
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("entries", written));
    }

    private static ResponseEntity<Map<String, Object>> created(RecordMetadata metadata) {
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("partition", metadata.partition(), "offset", metadata.offset()));
    }
}
