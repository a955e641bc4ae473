package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.serialization.Deserializer
import java.util.Locale
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.TimeSource
import kotlin.time.toJavaDuration

/** Reads a topic from the beginning with an assigned (group-less) consumer; shared by every cluster backend. */
internal object RecordReader {
    private val pollInterval = 100.milliseconds

    fun <K, V> read(
        connection: Map<String, Any>,
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
        until: (List<ConsumerRecord<K, V>>) -> Boolean,
    ): List<ConsumerRecord<K, V>> {
        val properties = consumerProperties(connection, isolationLevel)
        val deadline = TimeSource.Monotonic.markNow() + timeout
        val records = ArrayList<ConsumerRecord<K, V>>()
        KafkaConsumer(properties, keyDeserializer, valueDeserializer).use { consumer ->
            var partitions: List<TopicPartition> = emptyList()
            while (true) {
                if (partitions.isEmpty()) {
                    partitions = consumer.partitionsFor(topic, pollInterval.toJavaDuration()).orEmpty().map { TopicPartition(it.topic(), it.partition()) }
                    if (partitions.isNotEmpty()) {
                        consumer.assign(partitions)
                        consumer.seekToBeginning(partitions)
                    }
                }
                if (until(records)) return records
                if (deadline.hasPassedNow()) throw AssertionError(describeTimeout(topic, timeout, partitions, records))
                if (partitions.isNotEmpty()) consumer.poll(pollInterval.toJavaDuration()).forEach { records += it }
            }
        }
    }

    /** Reads from the beginning to the end offsets seen at the start (the last stable offsets for read_committed). */
    fun <K, V> readAll(
        connection: Map<String, Any>,
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> {
        val deadline = TimeSource.Monotonic.markNow() + timeout
        val records = ArrayList<ConsumerRecord<K, V>>()
        KafkaConsumer(consumerProperties(connection, isolationLevel), keyDeserializer, valueDeserializer).use { consumer ->
            val partitions =
                consumer.partitionsFor(topic, timeout.toJavaDuration()).orEmpty().map { TopicPartition(it.topic(), it.partition()) }
            if (partitions.isEmpty()) throw AssertionError("Topic '$topic' does not exist (no partitions within $timeout)")
            consumer.assign(partitions)
            consumer.seekToBeginning(partitions)
            val end = consumer.endOffsets(partitions)
            while (partitions.any { consumer.position(it) < end.getValue(it) }) {
                if (deadline.hasPassedNow()) {
                    throw AssertionError("Reading '$topic' to its end ($end) took longer than $timeout; read ${records.size} records")
                }
                consumer.poll(pollInterval.toJavaDuration()).forEach { records += it }
            }
        }
        return records
    }

    private fun consumerProperties(
        connection: Map<String, Any>,
        isolationLevel: IsolationLevel,
    ): Map<String, Any> =
        connection +
            mapOf(
                ConsumerConfig.CLIENT_ID_CONFIG to "kproducer-testkit-reader",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG to false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG to false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG to isolationLevel.toString().lowercase(Locale.ROOT),
            )

    private fun describeTimeout(
        topic: String,
        timeout: Duration,
        partitions: List<TopicPartition>,
        records: List<ConsumerRecord<*, *>>,
    ): String {
        if (partitions.isEmpty()) return "Topic '$topic' did not appear within $timeout: nothing was produced to it, or it was never created."
        val perPartition = records.groupingBy { it.partition() }.eachCount()
        val detail = partitions.sortedBy { it.partition() }.joinToString { "partition ${it.partition()}: ${perPartition[it.partition()] ?: 0}" }
        return "Records read from '$topic' within $timeout did not satisfy the condition; read ${records.size} ($detail)."
    }
}
