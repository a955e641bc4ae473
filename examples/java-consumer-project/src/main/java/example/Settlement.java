package example;

import io.github.kproducer.dsl.KProducer;
import java.util.List;

/** Writes a day's payments in one transaction: a consumer reading committed data sees all of them or none. */
public final class Settlement {
    private final KProducer<String, Payment> producer;

    /** [producer] must be transactional (built with a transactionalId). */
    public Settlement(KProducer<String, Payment> producer) {
        this.producer = producer;
    }

    /** Blocks until the payments are committed; throws Kafka's exception when the transaction fails, having aborted it. */
    public int settle(List<Payment> payments) {
        return producer.inTransaction(tx -> {
            payments.forEach(payment -> tx.sendAsync("settled-payments", payment.customer(), payment));
            return payments.size();
        });
    }
}
