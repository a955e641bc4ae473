package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.MockKafkaProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.Cluster
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.Node
import org.apache.kafka.common.PartitionInfo
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.utils.Utils
import kotlin.random.Random

/**
 * Topics, partition choice and offsets of a mock producer, as the real client and broker would
 * decide them. Not thread-safe: the mock calls it under its lock.
 */
internal class MockPartitioning(
    config: MockKafkaProducerConfig,
) {
    private val topics = LinkedHashMap(config.topics)
    private val autoCreate = config.autoCreateTopics
    private val defaultPartitions = config.defaultPartitions
    private val partitioner = config.partitioner
    private val keylessBatch = config.keylessBatchRecords
    private val random = Random(config.seed)
    private val sticky = HashMap<String, Sticky>()
    private val offsets = HashMap<TopicPartition, Long>()
    private var cluster: Cluster? = null

    private class Sticky(
        var partition: Int,
        var remaining: Int,
    )

    /** The partition count of [topic], creating it when automatic creation is on; `null` when it does not exist. */
    fun partitionCount(topic: String): Int? {
        topics[topic]?.let { return it }
        if (!autoCreate) return null
        topics[topic] = defaultPartitions
        cluster = null
        return defaultPartitions
    }

    /** The partition of a record without an explicit one. */
    fun partition(
        record: ProducerRecord<*, *>,
        keyBytes: ByteArray?,
        valueBytes: ByteArray?,
        partitions: Int,
    ): Int {
        if (partitioner != null) {
            val chosen = partitioner.partition(record.topic(), record.key(), keyBytes, record.value(), valueBytes, cluster())
            if (chosen !in 0 until partitions) {
                throw KafkaException("The partitioner chose partition $chosen for topic ${record.topic()}, which has $partitions partitions")
            }
            return chosen
        }
        if (keyBytes != null) return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions
        // Keyless records stick to one partition for a batch's worth, then move on, like the real client.
        val state = sticky.getOrPut(record.topic()) { Sticky(random.nextInt(partitions), keylessBatch) }
        if (state.remaining == 0) {
            state.partition = if (partitions == 1) 0 else (state.partition + 1 + random.nextInt(partitions - 1)) % partitions
            state.remaining = keylessBatch
        }
        state.remaining--
        return state.partition
    }

    /** The next offset of [partition], as the broker assigns them: from 0, without gaps. */
    fun nextOffset(partition: TopicPartition): Long {
        val offset = offsets[partition] ?: 0L
        offsets[partition] = offset + 1
        return offset
    }

    fun partitionInfos(topic: String): List<PartitionInfo> = cluster().partitionsForTopic(topic)

    private fun cluster(): Cluster =
        cluster ?: Cluster(
            "mock-cluster",
            listOf(NODE),
            topics.flatMap { (topic, count) -> (0 until count).map { PartitionInfo(topic, it, NODE, arrayOf(NODE), arrayOf(NODE)) } },
            emptySet(),
            emptySet(),
        ).also { cluster = it }

    private companion object {
        val NODE = Node(0, "mock-broker", 9092)
    }
}
