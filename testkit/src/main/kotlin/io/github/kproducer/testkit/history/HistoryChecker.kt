package io.github.kproducer.testkit.history

import io.github.kproducer.testkit.nemesis.Nemesis
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/** Compares [attempts] (in attempt order) with [onTopic] and builds the [HistoryCheck]. */
internal class HistoryChecker(
    private val attempts: List<SendHistory.Attempt>,
    private val onTopic: List<ConsumerRecord<*, *>>,
    private val nemesis: Nemesis?,
) {
    fun check(): HistoryCheck {
        // Where each value was found, in topic order (partition, then offset).
        val found = HashMap<SendHistory.Identity, MutableList<ConsumerRecord<*, *>>>()
        for (record in onTopic.sortedWith(compareBy({ it.topic() }, { it.partition() }, { it.offset() }))) {
            found.getOrPut(SendHistory.Identity(record.topic(), SendHistory.comparable(record.value()))) { ArrayList() } += record
        }
        val attempted = attempts.associateBy { SendHistory.Identity(it.topic, SendHistory.comparable(it.value)) }
        val lost = ArrayList<String>()
        val unanswered = ArrayList<String>()
        val missing = ArrayList<String>()
        val elsewhere = ArrayList<String>()
        var acknowledged = 0
        var failedButWritten = 0
        var unknown = 0
        for (attempt in attempts) {
            val copies = found[SendHistory.Identity(attempt.topic, SendHistory.comparable(attempt.value))].orEmpty()
            val name = "${attempt.topic}/${attempt.value}"
            when (val outcome = attempt.outcome) {
                null -> {
                    if (copies.isEmpty()) lost += name else unanswered += name
                }

                is RecordMetadata -> {
                    acknowledged++
                    if (copies.isEmpty()) {
                        missing += "$name (acknowledged at ${outcome.partition()}@${outcome.offset()})"
                    } else if (outcome.hasOffset() && copies.none { it.partition() == outcome.partition() && it.offset() == outcome.offset() }) {
                        elsewhere += "$name: acknowledged at ${outcome.partition()}@${outcome.offset()}, found at ${copies.joinToString { where(it) }}"
                    }
                }

                SendHistory.UNKNOWN -> {
                    unknown++
                }

                else -> {
                    if (copies.isNotEmpty()) failedButWritten++
                }
            }
        }
        val duplicated =
            found.filterValues { it.size > 1 }.map { (identity, copies) ->
                "${identity.topic}/${copies.first().value()} at ${copies.joinToString { where(it) }}"
            }
        return HistoryCheck(
            attempted = attempts.size,
            read = onTopic.size,
            acknowledged = acknowledged,
            lost = lost,
            unanswered = unanswered,
            acknowledgedButMissing = missing,
            duplicated = duplicated,
            reorderedPerKey = reordered(found),
            acknowledgedElsewhere = elsewhere,
            failedButWritten = failedButWritten,
            unknownOutcome = unknown,
            notAttempted = found.keys.count { it !in attempted },
            nemesis = nemesis,
        )
    }

    /**
     * Keys whose records are on the topic in another order than attempted: per topic and key, the first
     * copy of each attempted record, in topic order, must have rising attempt numbers. A key written to
     * two partitions has no order to compare across them; each partition is compared on its own.
     */
    private fun reordered(found: Map<SendHistory.Identity, List<ConsumerRecord<*, *>>>): List<String> {
        val sequenceOf = attempts.associate { SendHistory.Identity(it.topic, SendHistory.comparable(it.value)) to it }
        val firstCopies =
            found.mapNotNull { (identity, copies) -> sequenceOf[identity]?.let { attempt -> attempt to copies.first() } }
        val byKey = firstCopies.groupBy { (attempt, copy) -> Triple(attempt.topic, attempt.key, copy.partition()) }
        val problems = ArrayList<String>()
        for ((where, records) in byKey) {
            val inTopicOrder = records.sortedBy { it.second.offset() }
            val inversion = inTopicOrder.zipWithNext().firstOrNull { (a, b) -> a.first.sequence > b.first.sequence } ?: continue
            val (later, earlier) = inversion
            problems +=
                "${where.first} key ${later.second.key()} in partition ${where.third}: ${later.first.value} (attempted #${later.first.sequence}) " +
                "is at offset ${later.second.offset()}, before ${earlier.first.value} (attempted #${earlier.first.sequence}) at offset ${earlier.second.offset()}"
        }
        return problems
    }

    private fun where(record: ConsumerRecord<*, *>): String = "${record.partition()}@${record.offset()}"
}
