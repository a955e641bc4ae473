package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runInterruptible
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Study note 004's practice: 2,000 lines `i:test key message sent test00000000000000 i` split at
 * ':' into key and value (the console producer's `key.separator`), sent twice into
 * `multipart-topic` (3 partitions), and read by a 3-member consumer group `group_01`. Every key's
 * records sit in one partition, so one consumer reads all of them, in order.
 */
internal object KeyOrdering : Sample(name = "key-ordering", title = "2,000 keyed lines into 3 partitions, read by a 3-member group", notes = "004") {
    const val TOPIC = "multipart-topic"

    class Result(
        /** Per partition: distinct keys and records. */
        val perPartition: Map<Int, Pair<Int, Int>>,
        /** Per consumer: the partitions it was given and the records it read. */
        val perConsumer: Map<String, Pair<Set<Int>, Int>>,
        /** Keys whose records were found in more than one partition. */
        val splitKeys: Int,
        val recordsRead: Int,
    )

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        env.createTopic(TOPIC, partitions = 3)
        val lines = (1..env.scaled(2_000)).map { "$it:test key message sent test00000000000000 $it" }
        val records = lines.map { line -> ProducerRecord(TOPIC, line.substringBefore(':'), line.substringAfter(':')) }
        val group = GroupReader(env, "group_01-${System.nanoTime()}") // a fresh group, reading from the start
        return coroutineScope {
            val members = (1..3).map { n -> launch(Dispatchers.IO) { group.consume("consumer-$n") } }
            // Let the three members share the partitions before anything is sent, as in the note's terminals.
            withTimeout(60.seconds) { while (!group.isBalanced()) delay(100.milliseconds) }
            env.println("group_01 is balanced: ${group.assignments().toSortedMap()}")
            val sent =
                kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
                    // The same file twice, as when the practice is run again: each key goes where it went before.
                    producer.sendAll(records) + producer.sendAll(records)
                }
            withTimeout(60.seconds) { while (group.total() < sent.size) delay(100.milliseconds) }
            group.stop()
            members.joinAll()

            val keysByPartition = sent.indices.groupBy({ sent[it].partition() }, { records[it % records.size].key() })
            val perPartition = keysByPartition.mapValues { (_, keys) -> keys.toSet().size to keys.size }
            perPartition.toSortedMap().forEach { (p, counts) -> env.println("  partition $p: ${counts.first} keys, ${counts.second} records") }
            val perConsumer = group.perConsumer()
            perConsumer.toSortedMap().forEach { (member, state) ->
                env.println("  $member read ${state.second} records from partitions ${state.first.sorted()}")
            }
            val split = group.keysInSeveralPartitions()
            env.println("Keys found in more than one partition: $split")
            Result(perPartition, perConsumer, split, group.total())
        }
    }

    /** The members of one consumer group, each polling on its own thread, and what they read. */
    private class GroupReader(
        private val env: SampleEnvironment,
        private val groupId: String,
    ) {
        @Volatile private var running = true
        private val assignments = ConcurrentHashMap<String, Set<Int>>()
        private val readFrom = ConcurrentHashMap<String, MutableSet<Int>>()
        private val counts = ConcurrentHashMap<String, AtomicInteger>()
        private val partitionsOfKey = ConcurrentHashMap<String, MutableSet<Int>>()
        private val total = AtomicInteger()

        suspend fun consume(member: String) =
            runInterruptible {
                env.consumer(mapOf(ConsumerConfig.GROUP_ID_CONFIG to groupId, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG to "earliest")) { consumer ->
                    consumer.subscribe(listOf(TOPIC))
                    while (running) {
                        val batch = consumer.poll(Duration.ofMillis(100))
                        assignments[member] = consumer.assignment().map { it.partition() }.toSet()
                        for (record in batch) {
                            readFrom.getOrPut(member) { ConcurrentHashMap.newKeySet() } += record.partition()
                            partitionsOfKey.getOrPut(record.key()) { ConcurrentHashMap.newKeySet() } += record.partition()
                            counts.getOrPut(member) { AtomicInteger() }.incrementAndGet()
                            total.incrementAndGet()
                        }
                    }
                }
            }

        fun isBalanced(): Boolean =
            assignments.size == 3 && assignments.values.all { it.size == 1 } && assignments.values
                .flatten()
                .toSet()
                .size == 3

        fun assignments(): Map<String, Set<Int>> = assignments.toMap()

        fun total(): Int = total.get()

        fun stop() {
            running = false
        }

        fun perConsumer(): Map<String, Pair<Set<Int>, Int>> = readFrom.mapValues { (member, partitions) -> partitions.toSet() to counts.getValue(member).get() }

        fun keysInSeveralPartitions(): Int = partitionsOfKey.values.count { it.size > 1 }
    }
}
