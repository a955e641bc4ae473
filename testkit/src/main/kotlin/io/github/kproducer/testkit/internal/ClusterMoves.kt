package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.NewPartitionReassignment
import org.apache.kafka.clients.admin.TopicDescription
import org.apache.kafka.common.ElectionType
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.ElectionNotNeededException
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException
import org.apache.kafka.common.utils.Utils
import java.util.Optional
import kotlin.time.Duration.Companion.milliseconds

/**
 * Moves partition leaders the way an operator does, through the controller: a reassignment that puts
 * the new leader first among the replicas (adding it as a replica when it is not one, which copies the
 * log), then a preferred-leader election. The client then meets `NOT_LEADER_OR_FOLLOWER` from the old
 * leader and refreshes its metadata, as in production. Each move returns once the new leader serves
 * produce requests and every broker has the new metadata.
 */
internal class ClusterMoves(
    private val admin: () -> Admin,
    private val brokers: () -> List<Int>,
    private val awaitMetadata: (Deadline, String) -> Unit,
) {
    /** The current leader of [topic]-[partition], or -1 when it has none. */
    fun leaderOf(
        topic: String,
        partition: Int,
        deadline: Deadline,
    ): Int = admin().use { describe(it, topic, deadline).partition(topic, partition).leader()?.id() ?: -1 }

    /** How many partitions [topic] has. */
    fun partitionCount(
        topic: String,
        deadline: Deadline,
    ): Int = admin().use { describe(it, topic, deadline).partitions().size }

    /** Makes [to] the leader of each partition in [moves] (partition to broker) of [topic]. */
    fun moveLeaders(
        topic: String,
        moves: Map<Int, Int>,
        deadline: Deadline,
        call: String,
    ) {
        val known = brokers()
        moves.values.forEach { require(it in known) { "$call: there is no broker $it; the brokers are $known" } }
        admin().use { admin ->
            val description = describe(admin, topic, deadline)
            val targets =
                moves
                    .mapNotNull { (partition, to) ->
                        val info = description.partition(topic, partition)
                        if (info.leader()?.id() == to && info.replicas().first().id() == to) return@mapNotNull null
                        val replicas = info.replicas().map { it.id() }
                        val order = if (to in replicas) listOf(to) + (replicas - to) else listOf(to) + replicas.dropLast(1)
                        TopicPartition(topic, partition) to order
                    }.toMap()
            if (targets.isEmpty()) return
            deadline.await(admin.alterPartitionReassignments(targets.mapValues { Optional.of(NewPartitionReassignment(it.value)) }).all())
            // A reassignment that adds a replica ends when it has caught up; one that only reorders ends at once.
            while (deadline.await(admin.listPartitionReassignments(targets.keys).reassignments()).isNotEmpty()) {
                check(!deadline.hasPassed) { "$call: the reassignment of $targets did not finish within ${deadline.timeout}" }
                deadline.pause(PAUSE)
            }
            try {
                deadline.await(admin.electLeaders(ElectionType.PREFERRED, targets.keys).all())
            } catch (_: ElectionNotNeededException) {
                // Already led by the preferred replica.
            }
            while (true) {
                val now = describe(admin, topic, deadline)
                val wrong = targets.filter { (tp, order) -> now.partition(topic, tp.partition()).leader()?.id() != order.first() }
                if (wrong.isEmpty()) break
                check(!deadline.hasPassed) {
                    "$call: after the election, ${wrong.keys} are not led by ${wrong.values.map { it.first() }} within ${deadline.timeout}"
                }
                // The preferred replica may still be joining the ISR; elect again until it leads.
                runCatching { deadline.await(admin.electLeaders(ElectionType.PREFERRED, wrong.keys).all()) }
                deadline.pause(PAUSE)
            }
            ServingPartitions.await(admin, listOf(topic), null, deadline, call)
        }
        awaitMetadata(deadline, call)
    }

    /**
     * Moves the leader of every partition of [topic] to the next replica in its replica list; returns the
     * new leader of each partition.
     *
     * @throws IllegalStateException when a partition has a single replica: there is nowhere to move it without copying.
     */
    fun shuffleLeaders(
        topic: String,
        deadline: Deadline,
        call: String,
    ): Map<Int, Int> {
        val description = admin().use { describe(it, topic, deadline) }
        val moves =
            description.partitions().associate { info ->
                val replicas = info.replicas().map { it.id() }
                check(replicas.size > 1) {
                    "$call: partition ${info.partition()} of '$topic' has one replica, so its leadership cannot move; create the topic " +
                        "with replicationFactor 2 or more, or move it with moveLeader(topic, partition, broker), which copies it"
                }
                val leader = info.leader()?.id() ?: replicas.first()
                info.partition() to replicas[(replicas.indexOf(leader) + 1) % replicas.size]
            }
        moveLeaders(topic, moves, deadline, call)
        return moves
    }

    /** The partition of an internal topic ([topic]: `__transaction_state` or `__consumer_offsets`) that coordinates [id]. */
    fun coordinatorPartition(
        topic: String,
        id: String,
        deadline: Deadline,
    ): Int {
        val partitions =
            try {
                admin().use { describe(it, topic, deadline).partitions().size }
            } catch (_: UnknownTopicOrPartitionException) {
                val user = if (topic == TRANSACTION_STATE) "transactional producer (initTransactions)" else "consumer group (a commit)"
                throw IllegalStateException(
                    "$topic does not exist yet: Kafka creates it when the first $user uses the cluster, and no coordinator of '$id' " +
                        "exists before; start one first",
                )
            }
        return Utils.abs(id.hashCode()) % partitions
    }

    private fun describe(
        admin: Admin,
        topic: String,
        deadline: Deadline,
    ): TopicDescription = deadline.await(admin.describeTopics(listOf(topic)).allTopicNames()).getValue(topic)

    private fun TopicDescription.partition(
        topic: String,
        partition: Int,
    ) = partitions().getOrNull(partition)
        ?: throw IllegalArgumentException("Topic '$topic' has no partition $partition; it has ${partitions().size}")

    private companion object {
        val PAUSE = 10.milliseconds
        const val TRANSACTION_STATE = "__transaction_state"
    }
}
