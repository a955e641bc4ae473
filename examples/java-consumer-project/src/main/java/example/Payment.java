package example;

/** A card payment, written to Kafka as JSON. */
public record Payment(String id, String customer, long amountCents, String currency) {}
