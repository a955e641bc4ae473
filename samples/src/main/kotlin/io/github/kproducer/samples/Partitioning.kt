package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord

/**
 * Study note 002's partition strategies on a 4-partition topic: the default (hash of the key, sticky
 * batches without one), a custom partitioner hashing the user id out of keys like `user-7:click`,
 * and an explicit partition (2).
 */
internal object Partitioning : Sample(name = "partitioning", title = "Default, custom (user id) and explicit partitions", notes = "002") {
    const val TOPIC = "partitioned-events"
    const val PARTITIONS = 4

    class Result(
        val defaultByKey: Map<String, Set<Int>>,
        val customByUser: Map<String, Set<Int>>,
        val explicit: Int,
    )

    /** The custom partitioner of the note: the user id (before ':') decides. */
    fun userPartition(
        key: String,
        partitions: Int,
    ): Int = Math.floorMod(key.substringBefore(':').hashCode(), partitions)

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        env.createTopic(TOPIC, partitions = PARTITIONS)
        val keys = (1..12).map { "user-${it % 4}:${listOf("click", "view", "buy")[it % 3]}" }

        val default =
            kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
                val keyed = producer.sendAll(keys.map { ProducerRecord(TOPIC, it, "event") })
                val keyless = producer.sendAll((0 until 6).map { ProducerRecord(TOPIC, "keyless $it") })
                env.println("Default partitioner, by key (hash of the whole key):")
                keys.zip(keyed).forEach { (key, m) -> env.println("  %-14s -> partition %d".format(key, m.partition())) }
                env.println("Default partitioner, keyless records stick to one partition per batch: ${keyless.map { it.partition() }}")
                keys.zip(keyed).groupBy({ it.first }, { it.second.partition() }).mapValues { it.value.toSet() }
            }

        val custom =
            kafkaProducer<String, String> {
                bootstrapServers = env.bootstrapServers
                partitioner { _, key, _, partitions -> userPartition(key!!, partitions) }
            }.use { producer ->
                val sent = producer.sendAll(keys.map { ProducerRecord(TOPIC, it, "event") })
                env.println("Custom partitioner, by user id:")
                val byUser = keys.zip(sent).groupBy({ it.first.substringBefore(':') }, { it.second.partition() }).mapValues { it.value.toSet() }
                byUser.toSortedMap().forEach { (user, partitions) -> env.println("  $user -> partition ${partitions.single()}") }
                byUser
            }

        val explicit =
            kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
                producer.send(TOPIC) {
                    partition = 2
                    value = "Direct partition message"
                }
            }
        env.println("Explicit partition: 'Direct partition message' -> partition ${explicit.partition()}")
        return Result(default, custom, explicit.partition())
    }
}
