package io.github.kproducer.samples.java;

import io.github.kproducer.dsl.KProducer;
import io.github.kproducer.dsl.KProducerConfigException;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Study note 001's programs in Java with kproducer's builder: the missing-setting error, {@code WORLD}
 * to {@code test}, and the three send modes with the {@code CustomerCountry} records of note 000.
 */
public final class SendModes {

    private SendModes() {}

    /** Runs against the cluster at {@code args[0]} (default {@code localhost:9092}). */
    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? args[0] : "localhost:9092");
    }

    /** Sends the note's records to {@code bootstrapServers}; returns the synchronous send's metadata. */
    public static RecordMetadata run(String bootstrapServers) throws Exception {
        // Without the required bootstrap servers the producer is not built, and the error says why.
        try {
            KProducer.builder(String.class, String.class).build();
        } catch (KProducerConfigException e) {
            System.out.println("Missing setting: " + e.getProblems().get(0));
        }

        try (KProducer<String, String> producer = KProducer.builder(String.class, String.class)
                .bootstrapServers(bootstrapServers)
                .build()) {
            producer.offer("test", null, "WORLD");

            // Fire-and-forget.
            producer.offer(new ProducerRecord<>("CustomerCountry", "Precision Products", "France"));

            // Synchronous: wait for the result.
            RecordMetadata metadata;
            try {
                metadata = producer.sendAsync(new ProducerRecord<>("CustomerCountry", "Precision Products", "France")).get();
                System.out.println("Sent - Topic: " + metadata.topic() + ", Partition: " + metadata.partition()
                        + ", Offset: " + metadata.offset());
            } catch (Exception e) {
                System.out.println("Send failed: " + e.getMessage());
                throw e;
            }

            // Asynchronous: the completion handler runs off Kafka's I/O thread.
            CompletableFuture<RecordMetadata> async = producer.sendAsync(new ProducerRecord<>("CustomerCountry", "Biomedical Materials", "USA"))
                    .whenComplete((m, e) -> {
                        if (e != null) {
                            System.out.println("Send failed: " + e.getMessage());
                        } else {
                            System.out.println("Sent - " + m.topic() + " [" + m.partition() + "] offset=" + m.offset());
                        }
                    });
            async.join();
            producer.flushAsync().get();
            return metadata;
        }
    }
}
