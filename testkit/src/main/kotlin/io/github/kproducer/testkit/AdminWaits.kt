@file:JvmName("AdminWaits")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.Deadline
import io.github.kproducer.testkit.internal.ServingPartitions
import org.apache.kafka.clients.admin.Admin
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * Waits until every partition of [topics] serves produce requests on the cluster this admin client
 * talks to: it has a leader, every replica is in sync and has its log, and the leader answers a
 * `ListOffsets` as leader. [KafkaCluster.createTopic] of the test kit's clusters does this itself; this
 * is the same wait for a topic created with a plain `Admin.createTopics` on any cluster (your own, a
 * shared staging cluster).
 *
 * Why: the controller names a new partition's leader before that broker has opened the partition, and
 * a produce arriving in between fails with `NOT_LEADER_OR_FOLLOWER`. For an idempotent `KafkaProducer`
 * with several requests in flight, brokers up to Kafka 4.4 can then lose the first request's records
 * (KAFKA-15591). kproducer's own producers are guarded against it; a raw `KafkaProducer` is not.
 *
 * Blocks the calling thread, looking every 5 ms, for at most [timeout]. Needs DESCRIBE on the topics
 * and on the cluster (for `DescribeLogDirs`) where ACLs are on.
 *
 * @throws AssertionError when the partitions do not serve within [timeout], saying what it saw last.
 * @throws org.apache.kafka.common.KafkaException when an admin call fails for good (authorization, say).
 */
@JvmSynthetic
public fun Admin.awaitPartitionsServing(
    topics: Collection<String>,
    timeout: Duration = 30.seconds,
) {
    require(!timeout.isNegative()) { "timeout must not be negative, was $timeout" }
    ServingPartitions.await(this, topics.toList(), null, Deadline(timeout), "awaitPartitionsServing($topics)")
}

/**
 * Java form of `Admin.awaitPartitionsServing`: waits until every partition of [topics] serves produce
 * requests, for at most [timeout]; see the Kotlin form for what it checks and why.
 *
 * @throws AssertionError when the partitions do not serve within [timeout], saying what it saw last.
 * @throws org.apache.kafka.common.KafkaException when an admin call fails for good (authorization, say).
 */
public fun awaitPartitionsServing(
    admin: Admin,
    topics: Collection<String>,
    timeout: java.time.Duration,
): Unit = admin.awaitPartitionsServing(topics, timeout.toKotlinDuration())
