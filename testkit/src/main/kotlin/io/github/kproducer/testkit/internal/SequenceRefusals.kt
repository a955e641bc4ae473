package io.github.kproducer.testkit.internal

import org.apache.kafka.common.errors.OutOfOrderSequenceException
import org.slf4j.LoggerFactory
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedDeque

/**
 * The embedded brokers' refusals of an earlier sequence number (`OUT_OF_ORDER_SEQUENCE_NUMBER` for a
 * sequence below what the partition holds): the mark KAFKA-15591 leaves. An idempotent producer's first
 * request to a partition failed retriably, a later one was appended by a broker that had no state for
 * the producer, and every retry of the first is now refused until `delivery.timeout.ms` expires its
 * records. The test's own failure then reads only "Expiring N record(s)", or a count that is short;
 * the test kit's extensions add what happened and the fix ([explain]).
 *
 * The brokers report a refusal only in their log (`ReplicaManager`, at ERROR with the exception), so
 * this sees them where the test kit hooks into the logging: with Logback ([LogbackQuieting]). The
 * first refusal of a producer on a partition is explained once in the log; the broker's repeats of it
 * (one stack trace per retry) are left out. Shared by every embedded cluster of the JVM.
 */
internal object SequenceRefusals {
    class Refusal(
        val partition: String,
        val producerId: Long,
        val incoming: Long,
        val written: Long,
        val atNanos: Long,
        val cluster: ClusterThreads.Tag?,
    )

    private val log = LoggerFactory.getLogger("io.github.kproducer.testkit.EmbeddedKafka")!!
    private val recent = ConcurrentLinkedDeque<Refusal>()
    private val seen = ConcurrentHashMap.newKeySet<String>()
    private val REFUSED =
        Regex("""for producer (\d+) at offset -?\d+ in partition (\S+): (-?\d+) \(incoming seq\. number\), (-?\d+) \(current end sequence number\)""")

    /**
     * Records [thrown], when it is a refusal of an earlier sequence, and returns whether the broker's
     * log line of it should be shown: only the first for a producer and partition.
     */
    fun record(thrown: Throwable?): Boolean {
        val refused = generateSequence(thrown) { it.cause }.take(5).firstOrNull { it is OutOfOrderSequenceException } ?: return true
        val match = REFUSED.find(refused.message ?: return true) ?: return true
        val (producer, partition, incoming, written) = match.destructured
        if (incoming.toLong() > written.toLong()) return true
        val refusal = Refusal(partition, producer.toLong(), incoming.toLong(), written.toLong(), System.nanoTime(), ClusterThreads.tag)
        recent.addLast(refusal)
        while (recent.size > KEPT) recent.pollFirst()
        if (!seen.add("$producer/$partition")) return false
        log.warn("{} (The broker's repeats of this error for producer {} on {} are left out of the log.)", describe(listOf(refusal)), producer, partition)
        return true
    }

    /**
     * The refusals recorded since [sinceNanos] (`System.nanoTime()`) by clusters [extension] started or
     * no extension owns: a refusal on another spec's cluster, running at the same time, is not this test's.
     */
    fun since(
        sinceNanos: Long,
        extension: Any?,
    ): List<Refusal> =
        recent.filter { refusal ->
            val owner = refusal.cluster?.owner
            refusal.atNanos - sinceNanos >= 0 && (owner == null || owner === extension)
        }

    /**
     * [failure] with the refusals seen since [sinceNanos] on [extension]'s clusters (or clusters no
     * extension owns) explained, as an [AssertionError] whose cause is [failure]; `null` when there were
     * none, or the failure names a partition that had none.
     */
    fun explain(
        failure: Throwable,
        sinceNanos: Long,
        extension: Any?,
    ): AssertionError? {
        var refusals = since(sinceNanos, extension)
        if (refusals.isEmpty()) return null
        // Explained already: the extension registered for the project and installed in the spec both see the failure.
        if (generateSequence(failure) { it.cause }.take(10).any { it.message?.contains(PREFIX) == true }) return null
        val text = generateSequence(failure) { it.cause }.take(10).mapNotNull { it.message }.joinToString("\n")
        val named = EXPIRING.findAll(text).map { it.groupValues[1] }.toSet()
        if (named.isNotEmpty()) refusals = refusals.filter { it.partition in named }
        if (refusals.isEmpty()) return null
        return AssertionError("${failure.message ?: failure.javaClass.name}\n\n${describe(refusals)}", failure)
    }

    private val EXPIRING = Regex("""Expiring \d+ record\(s\) for (\S+?):""")

    private fun describe(refusals: List<Refusal>): String {
        val partitions = refusals.map { it.partition }.distinct()
        val first = refusals.first()
        return "$PREFIX producer ${first.producerId}'s retry of sequence ${first.incoming} on " +
            "${partitions.take(3).joinToString()}${if (partitions.size > 3) " and ${partitions.size - 3} more partitions" else ""} " +
            "with OUT_OF_ORDER_SEQUENCE_NUMBER, because the partition already holds the producer's records up to sequence " +
            "${first.written}, written after it. This is " +
            "KAFKA-15591, a bug of Kafka brokers up to 4.4: an idempotent producer's first request to a partition it had not " +
            "written to failed with a retriable error (NOT_LEADER_OR_FOLLOWER from a leader that had not opened a new partition " +
            "yet) while a second request was in flight, and the broker appended the second. The first request's records fail " +
            "when delivery.timeout.ms runs out, and the partition's order is broken. Fix: create the topic with createTopic, " +
            "which returns once every partition serves produce requests, before producing (after a plain Admin.createTopics, " +
            "call awaitPartitionsServing; do not rely on automatic topic creation), or send through kproducer's " +
            "kafkaProducer { } (KProducer.builder(...) in Java), which sends a partition nothing more until its first record is " +
            "acknowledged."
    }

    private const val KEPT = 1_000
    private const val PREFIX = "kproducer-testkit: the broker refused"
}
