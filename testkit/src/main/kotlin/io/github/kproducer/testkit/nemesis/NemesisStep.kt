package io.github.kproducer.testkit.nemesis

import java.time.Duration

/** One step of a [Nemesis]'s schedule: [fault] on broker [broker], from [start] after the nemesis started, for [length]. Immutable. */
public class NemesisStep internal constructor(
    /** The step's position in the schedule, from 0. */
    public val index: Int,
    /**
     * When the step starts, counted from the nemesis' start, if healing took no time. Each step keeps its
     * pause after the step before it was healed, so a broker restart (whose heal waits until the broker
     * has caught up) moves the steps after it later; [Nemesis.describe] shows when each one started.
     */
    public val start: Duration,
    /** How long its fault lasts. */
    public val length: Duration,
    /** The kind of fault. */
    public val fault: NemesisFault,
    /** The broker it hits. */
    public val broker: Int,
    /** The fault's own value: the error answered, the latency or delay; empty when it has none. */
    public val detail: String,
) {
    /** For example `#3 at 1.250s for 0.600s: PRODUCE_ERRORS on broker 2 (NOT_LEADER_OR_FOLLOWER)`. */
    override fun toString(): String =
        "#$index at ${seconds(start)} for ${seconds(length)}: $fault on broker $broker" + if (detail.isEmpty()) "" else " ($detail)"

    private fun seconds(duration: Duration): String = "%.3fs".format(java.util.Locale.ROOT, duration.toMillis() / 1000.0)

    override fun equals(other: Any?): Boolean =
        other is NemesisStep &&
            index == other.index &&
            start == other.start &&
            length == other.length &&
            fault == other.fault &&
            broker == other.broker &&
            detail == other.detail

    override fun hashCode(): Int = toString().hashCode()
}
