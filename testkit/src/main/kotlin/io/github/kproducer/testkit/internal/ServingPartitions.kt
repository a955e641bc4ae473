package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.DescribeReplicaLogDirsOptions
import org.apache.kafka.clients.admin.DescribeTopicsOptions
import org.apache.kafka.clients.admin.ListOffsetsOptions
import org.apache.kafka.clients.admin.ListTopicsOptions
import org.apache.kafka.clients.admin.OffsetSpec
import org.apache.kafka.clients.admin.TopicDescription
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.TopicPartitionInfo
import org.apache.kafka.common.TopicPartitionReplica
import org.apache.kafka.common.errors.RetriableException
import kotlin.time.Duration.Companion.milliseconds

/**
 * Waits until partitions serve produce requests, not only until the controller has assigned them.
 *
 * The controller's metadata (what `describeTopics` and a producer's metadata request see) names a
 * partition's leader before that broker has applied the change and opened the partition's log; a
 * produce that arrives in between fails with `NOT_LEADER_OR_FOLLOWER`. An idempotent producer's
 * retry of that first batch can then meet a broker that already took the batch behind it, and be
 * refused with `OUT_OF_ORDER_SEQUENCE_NUMBER` until its delivery timeout (see testkit/README.md).
 * So a partition counts as serving once three things hold: the metadata names a leader and the
 * replicas that must be in sync are in its ISR; each of those replicas' brokers reports the
 * partition's log (`DescribeLogDirs`); and the leader answers a `ListOffsets` as leader, which it
 * does from the same state a produce request is checked against.
 */
internal object ServingPartitions {
    /** Between two looks; each look is three requests on loopback, and what it waits for takes a few ms. */
    private val pause = 5.milliseconds

    /**
     * Waits until every partition of [topics] (every topic, internal ones included, when null) serves.
     * With [broker] only the partitions that broker replicates are waited for, and only that
     * replica must be in sync (a restart); otherwise every replica of every partition must be.
     *
     * @throws AssertionError naming [call] and what was last seen, when the deadline passes first.
     */
    fun await(
        admin: Admin,
        topics: Collection<String>?,
        broker: Int?,
        deadline: Deadline,
        call: String,
    ) {
        var seen = "no answer from the cluster yet"
        while (true) {
            try {
                val waiting = notServing(admin, topics, broker, deadline)
                if (waiting == null) return
                seen = waiting
            } catch (e: RetriableException) {
                seen = describeFailure(e)
            }
            if (deadline.hasPassed) throw AssertionError("$call: the partitions did not serve produce requests within ${deadline.timeout}; last seen: $seen")
            deadline.pause(pause)
        }
    }

    /** What still keeps the partitions from serving, or null when they all serve. */
    private fun notServing(
        admin: Admin,
        topics: Collection<String>?,
        broker: Int?,
        deadline: Deadline,
    ): String? {
        val names = topics ?: deadline.await(admin.listTopics(ListTopicsOptions().listInternal(true).timeoutMs(deadline.millis())).names())
        if (names.isEmpty()) return null
        val described: Map<String, TopicDescription> =
            deadline.await(admin.describeTopics(names, DescribeTopicsOptions().timeoutMs(deadline.millis())).allTopicNames())
        val partitions =
            described.values
                .flatMap { topic ->
                    topic.partitions().map { TopicPartition(topic.name(), it.partition()) to it }
                }.filter { (_, info) -> broker == null || info.replicas().any { it.id() == broker } }
        if (partitions.isEmpty()) return null
        val unsynced = partitions.filter { (_, info) -> info.leader() == null || !inSync(info, broker) }
        if (unsynced.isNotEmpty()) {
            return "${unsynced.size} partitions without a leader or with ${if (broker == null) "a replica" else "broker $broker"} out of the ISR, " +
                "such as ${unsynced.first().first} (leader ${unsynced.first().second.leader()?.id()}, " +
                "replicas ${unsynced.first().second.replicas().map { it.id() }}, ISR ${unsynced.first().second.isr().map { it.id() }})"
        }
        val replicas =
            partitions.flatMap { (tp, info) ->
                info.replicas().filter { broker == null || it.id() == broker }.map { TopicPartitionReplica(tp.topic(), tp.partition(), it.id()) }
            }
        val dirs = deadline.await(admin.describeReplicaLogDirs(replicas, DescribeReplicaLogDirsOptions().timeoutMs(deadline.millis())).all())
        val withoutLog = replicas.filter { dirs[it]?.currentReplicaLogDir == null }
        if (withoutLog.isNotEmpty()) return "${withoutLog.size} replicas whose broker has no log for them yet, such as ${withoutLog.first()}"
        deadline.await(admin.listOffsets(partitions.associate { it.first to OffsetSpec.latest() }, ListOffsetsOptions().timeoutMs(deadline.millis())).all())
        return null
    }

    private fun inSync(
        info: TopicPartitionInfo,
        broker: Int?,
    ): Boolean = if (broker == null) info.isr().size >= info.replicas().size else info.isr().any { it.id() == broker }

    private fun Deadline.millis(): Int = remaining.inWholeMilliseconds.coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
}
