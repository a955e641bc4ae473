package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import org.apache.kafka.clients.producer.RecordMetadata
import kotlin.random.Random

/**
 * Study note 004's `SimpleProducer` with the DSL: one keyless record "hello world N" to
 * `simple-topic`, then print where it landed. The suspending send replaces the callback: the
 * metadata is the result, and a failure would be thrown here as Kafka's own exception.
 */
public object SimpleProducer {
    /** The topic of the study note. */
    public const val TOPIC: String = "simple-topic"

    /** Sends one record to [bootstrapServers], prints its topic, partition, offset and timestamp, and returns its metadata. */
    public suspend fun run(bootstrapServers: String): RecordMetadata =
        kafkaProducer<String, String> { this.bootstrapServers = bootstrapServers }.use { producer ->
            val metadata = producer.send(TOPIC, null, "hello world ${Random.nextInt(1000)}")
            println(
                """
                |
                | ###### record metadata received #####
                |topic:${metadata.topic()}
                |partition:${metadata.partition()}
                |offset:${metadata.offset()}
                |timestamp:${metadata.timestamp()}
                """.trimMargin(),
            )
            metadata
        }
}
