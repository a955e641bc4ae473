package io.github.kproducer.samples;

import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Study note 004's {@code SimpleProducer}, in plain Java with a plain {@link KafkaProducer}: one
 * keyless record "hello world N" to {@code simple-topic}, a callback that prints where it landed,
 * then flush and close.
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
        Properties props = new Properties();
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            ProducerRecord<String, String> record =
                    new ProducerRecord<>(TOPIC, "hello world " + new Random().nextInt(1000));
            CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
            // The callback runs on the producer's I/O thread: print and hand over, never block here.
            producer.send(record, (metadata, exception) -> {
                if (exception == null) {
                    System.out.println("\n ###### record metadata received ##### \n"
                            + "topic:" + metadata.topic() + "\n"
                            + "partition:" + metadata.partition() + "\n"
                            + "offset:" + metadata.offset() + "\n"
                            + "timestamp:" + metadata.timestamp());
                    result.complete(metadata);
                } else {
                    System.out.println("exception error from broker " + exception.getMessage());
                    result.completeExceptionally(exception);
                }
            });
            producer.flush();
            return result.get();
        }
    }
}
