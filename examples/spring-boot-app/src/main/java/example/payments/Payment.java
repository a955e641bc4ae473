package example.payments;

/** A payment as the service receives it; the starter sends it as JSON (Jackson 3, Boot's JsonMapper). */
public record Payment(String id, String account, long cents) {}
