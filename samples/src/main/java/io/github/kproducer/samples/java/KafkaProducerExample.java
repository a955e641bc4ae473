package io.github.kproducer.samples.java;

import io.github.kproducer.dsl.Acks;
import io.github.kproducer.dsl.Compression;
import io.github.kproducer.dsl.KProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Study note 004's {@code KafkaProducerExample} in Java with kproducer's builder: String keys,
 * {@link CustomIntegerSerializer} values, zstd, acks=all, 16 KB batches, 5 ms linger, 10 records to
 * {@code test_topic}, each printing where it landed.
 */
public final class KafkaProducerExample {

    /** The topic of the study note. */
    public static final String TOPIC = "test_topic";

    private KafkaProducerExample() {}

    /** Sends the ten records to the cluster at {@code args[0]} (default {@code localhost:9092}). */
    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? args[0] : "localhost:9092");
    }

    /** Sends the ten records to {@code bootstrapServers} and returns their metadata in order. */
    public static List<RecordMetadata> run(String bootstrapServers) throws Exception {
        try (KProducer<String, Integer> producer = KProducer.builder(new StringSerializer(), new CustomIntegerSerializer())
                .bootstrapServers(bootstrapServers)
                .compression(Compression.ZSTD)
                .acks(Acks.ALL)
                .batchSize(16384)
                .linger(Duration.ofMillis(5))
                .build()) {
            List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ProducerRecord<String, Integer> record = new ProducerRecord<>(TOPIC, "key-" + i, i);
                sent.add(producer.sendAsync(record).whenComplete((metadata, exception) -> {
                    if (exception == null) {
                        System.out.println("Sent message to " + metadata.topic()
                                + " partition: " + metadata.partition()
                                + " offset: " + metadata.offset());
                    } else {
                        exception.printStackTrace();
                    }
                }));
            }
            List<RecordMetadata> metadata = new ArrayList<>();
            for (CompletableFuture<RecordMetadata> future : sent) {
                metadata.add(future.get());
            }
            return metadata;
        }
    }
}
