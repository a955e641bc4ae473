package example;

import io.github.kproducer.dsl.KProducer;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

// region readme:java-service
/** Publishes payments to the "payments" topic, keyed by customer so that each customer's payments stay in order. */
public final class PaymentPublisher {
    private final KProducer<String, Payment> producer;

    public PaymentPublisher(KProducer<String, Payment> producer) {
        this.producer = producer;
    }

    /** Completes when the broker has the payment, or with Kafka's exception; never blocks the caller. */
    public CompletableFuture<RecordMetadata> publish(Payment payment) {
        return producer.sendAsync("payments", payment.customer(), payment);
    }
}
// endregion
