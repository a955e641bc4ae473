package io.github.kproducer.samples

import io.github.kproducer.dsl.Acks
import io.github.kproducer.dsl.Compression
import io.github.kproducer.dsl.kafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.nio.ByteBuffer
import kotlin.time.Duration.Companion.milliseconds

/**
 * Study note 004's `KafkaProducerExample` with the DSL: String keys `key-i`, an Integer value
 * serializer of our own (4 bytes, big-endian), zstd, acks=all, 16 KB batches, 5 ms linger, 10 records.
 * The Java version is `io.github.kproducer.samples.java.KafkaProducerExample`.
 */
internal object ProducerExample : Sample(name = "producer-example", title = "Custom Integer serializer, zstd, acks=all (KafkaProducerExample)", notes = "004") {
    const val TOPIC = "test_topic"

    override suspend fun run(env: SampleEnvironment) {
        sendTen(env)
    }

    suspend fun sendTen(env: SampleEnvironment): List<RecordMetadata> {
        env.createTopic(TOPIC, partitions = 3)
        return kafkaProducer<String, Int> {
            bootstrapServers = env.bootstrapServers
            valueSerializer { _, value -> ByteBuffer.allocate(4).putInt(value).array() }
            compression = Compression.ZSTD
            acks = Acks.ALL
            batchSize = 16 * 1024
            linger = 5.milliseconds
        }.use { producer ->
            producer.sendAll((0 until 10).map { ProducerRecord(TOPIC, "key-$it", it) }).onEach {
                env.println("Sent message to ${it.topic()} partition: ${it.partition()} offset: ${it.offset()}")
            }
        }
    }
}
