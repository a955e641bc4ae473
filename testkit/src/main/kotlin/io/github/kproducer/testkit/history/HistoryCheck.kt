package io.github.kproducer.testkit.history

import io.github.kproducer.testkit.nemesis.Nemesis

/**
 * The result of [SendHistory.check]: each way the topic disagrees with what the producer was told,
 * with up to five examples each in [describe]. A producer is [reliable][isReliable] when none of these holds:
 * - [lost]: never answered, and not on the topic: the record vanished without a word;
 * - [unanswered]: on the topic, but the producer never answered its caller;
 * - [acknowledgedButMissing]: acknowledged, yet not on the topic;
 * - [duplicated]: on the topic more than once;
 * - [reorderedPerKey]: a key's records are on the topic in another order than they were attempted;
 * - [acknowledgedElsewhere]: on the topic at another partition or offset than its acknowledgement said.
 *
 * Not violations, counted for the record: [failedButWritten] (told it failed, yet written: Kafka allows it
 * for a timeout), [unknownOutcome] (the caller stopped waiting) and [notAttempted] (on the topic, but not
 * in the history: another writer). Immutable.
 */
public class HistoryCheck internal constructor(
    /** How many records the history attempted. */
    public val attempted: Int,
    /** How many records were read from the topics. */
    public val read: Int,
    /** How many attempted records were acknowledged. */
    public val acknowledged: Int,
    /** Never answered and not on the topic, as `topic/value`. */
    public val lost: List<String>,
    /** On the topic, but never answered, as `topic/value`. */
    public val unanswered: List<String>,
    /** Acknowledged (with the partition and offset it was told) but not on the topic. */
    public val acknowledgedButMissing: List<String>,
    /** On the topic more than once, with where. */
    public val duplicated: List<String>,
    /** A key whose records are out of attempt order, with the first pair found. */
    public val reorderedPerKey: List<String>,
    /** Found at another partition or offset than acknowledged. */
    public val acknowledgedElsewhere: List<String>,
    /** How many records were told they failed but are on the topic. */
    public val failedButWritten: Int,
    /** How many records have an unknown outcome (their caller stopped waiting). */
    public val unknownOutcome: Int,
    /** How many records on the topic were not attempted through the history. */
    public val notAttempted: Int,
    private val nemesis: Nemesis?,
) {
    /** Whether no violation was found: nothing lost, unanswered, missing, duplicated, reordered or misplaced. */
    public val isReliable: Boolean
        get() = violations().all { it.second.isEmpty() }

    /**
     * Returns this check when it [is reliable][isReliable], for chaining.
     *
     * @throws AssertionError with [describe] as its message (the nemesis' seed and schedule included) otherwise.
     */
    public fun assertReliable(): HistoryCheck {
        if (!isReliable) throw AssertionError(describe())
        return this
    }

    /** A report: the counts, every violation with its examples, and the nemesis' seed and schedule when one ran. */
    public fun describe(): String =
        buildString {
            append(if (isReliable) "The history is reliable" else "The history is NOT reliable")
            append(": $attempted attempted, $acknowledged acknowledged, $read read back")
            append("; failed but written: $failedButWritten, unknown outcome: $unknownOutcome, not attempted: $notAttempted")
            for ((name, examples) in violations()) {
                if (examples.isEmpty()) continue
                append("\n  $name: ${examples.size}")
                examples.take(EXAMPLES).forEach { append("\n    $it") }
                if (examples.size > EXAMPLES) append("\n    ... and ${examples.size - EXAMPLES} more")
            }
            nemesis?.let { append("\n").append(it.describe()) }
        }

    private fun violations(): List<Pair<String, List<String>>> =
        listOf(
            "lost (never answered, not on the topic)" to lost,
            "unanswered (on the topic, never answered)" to unanswered,
            "acknowledged but missing" to acknowledgedButMissing,
            "duplicated" to duplicated,
            "reordered per key" to reorderedPerKey,
            "acknowledged at another partition or offset" to acknowledgedElsewhere,
        )

    /** The first line of [describe]. */
    override fun toString(): String = describe().lineSequence().first()
}

/** How many examples [HistoryCheck.describe] lists per violation. */
private const val EXAMPLES = 5
