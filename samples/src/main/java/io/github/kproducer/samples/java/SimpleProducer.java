package io.github.kproducer.samples.java;

import io.github.kproducer.dsl.KProducer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Study note 004's {@code SimpleProducer} in Java, with kproducer's Java builder instead of a
 * {@code Properties} object: one keyless record "hello world N" to {@code simple-topic}, a completion
 * handler that prints where it landed, then flush and close.
 */
public final class SimpleProducer {

    /** The topic of the study note. */
    public static final String TOPIC = "simple-topic";

    private SimpleProducer() {}

    /** Sends one record to the cluster at {@code args[0]} (default {@code 127.0.0.1:9092}). */
    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? args[0] : "127.0.0.1:9092");
    }

    /**
     * Sends one record to {@code bootstrapServers}, prints its topic, partition, offset and
     * timestamp, and returns its metadata.
     *
     * @throws Exception the broker's error, when the send fails
     */
    public static RecordMetadata run(String bootstrapServers) throws Exception {
        // bootstrap.servers plus serializers inferred from the key and value classes: the three
        // required settings of the note, checked when the producer is built.
        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(bootstrapServers)
                .build()) {
            ProducerRecord<String, String> record =
                    new ProducerRecord<>(TOPIC, "hello world " + new Random().nextInt(1000));
            // The future completes off Kafka's I/O thread, so the handler may take its time.
            CompletableFuture<RecordMetadata> sent = producer.sendAsync(record).whenComplete((metadata, exception) -> {
                if (exception == null) {
                    System.out.println("\n ###### record metadata received ##### \n"
                            + "topic:" + metadata.topic() + "\n"
                            + "partition:" + metadata.partition() + "\n"
                            + "offset:" + metadata.offset() + "\n"
                            + "timestamp:" + metadata.timestamp());
                } else {
                    System.out.println("exception error from broker " + exception.getMessage());
                }
            });
            producer.flushAsync().get();
            return sent.get();
        }
    }
}
