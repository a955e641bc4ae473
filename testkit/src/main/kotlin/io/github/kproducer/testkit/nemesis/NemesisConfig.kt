package io.github.kproducer.testkit.nemesis

import io.github.kproducer.testkit.TestKitDsl
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toKotlinDuration

/**
 * The settings of a [Nemesis]: which faults it draws from, how many steps, how long each lasts, and how
 * long the cluster is left alone between steps.
 *
 * ```kotlin
 * kafka.nemesis(seed = 42) {
 *     faults(NemesisFault.PRODUCE_ERRORS, NemesisFault.DROPPED_ANSWERS, NemesisFault.BROKER_RESTART)
 *     steps = 12
 * }.use { nemesis -> /* the workload */ }
 * ```
 *
 * Mutable, not thread-safe: configure it inside its block; it is checked when the nemesis starts.
 */
@TestKitDsl
public class NemesisConfig internal constructor() {
    /** The kinds of fault to draw from; default: every kind the cluster supports. */
    internal var faults: Set<NemesisFault>? = null

    /** The topics [NemesisFault.LEADER_MOVE] and [NemesisFault.PARTITION_ERRORS] act on. */
    internal var topics: List<String> = emptyList()

    /** How many steps the schedule has. Default 8. */
    @set:JvmSynthetic
    public var steps: Int = 8

    /** The typical length of a step; each step lasts between half and one and a half of it, as drawn. Default 600 ms. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var stepLength: Duration = 600.milliseconds

    /** How long the cluster is left alone before each step. Default 300 ms. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var pause: Duration = 300.milliseconds

    /** Draws the steps from [faults] only; returns these settings. */
    public fun faults(vararg faults: NemesisFault): NemesisConfig = apply { this.faults = faults.toSet() }

    /** Names the topics (the workload's) whose partitions [NemesisFault.LEADER_MOVE] and [NemesisFault.PARTITION_ERRORS] steps act on; returns these settings. */
    public fun topics(vararg topics: String): NemesisConfig = apply { this.topics = topics.toList() }

    /** Sets [steps]; returns these settings. */
    public fun steps(steps: Int): NemesisConfig = apply { this.steps = steps }

    /** Sets [stepLength]; returns these settings. */
    public fun stepLength(length: java.time.Duration): NemesisConfig = apply { stepLength = length.toKotlinDuration() }

    /** Sets [pause]; returns these settings. */
    public fun pause(pause: java.time.Duration): NemesisConfig = apply { this.pause = pause.toKotlinDuration() }

    /** What is wrong with these settings for a cluster of [brokers] brokers, with or without the fault proxy. */
    internal fun problems(
        brokers: Int,
        faultProxy: Boolean,
    ): List<String> =
        buildList {
            if (steps < 1) add("steps must be at least 1, was $steps")
            if (!stepLength.isPositive() || stepLength.isInfinite()) add("stepLength must be positive and finite, was $stepLength")
            if (pause.isNegative() || pause.isInfinite()) add("pause must be zero or more and finite, was $pause")
            val chosen = faults
            if (chosen != null && chosen.isEmpty()) add("faults(...) names no fault; name at least one, or leave it out for all")
            if (chosen != null && NemesisFault.BROKER_RESTART in chosen && brokers < 3) {
                add("BROKER_RESTART needs at least 3 brokers (the controller quorum must survive a stop); this cluster has $brokers")
            }
            val proxied = chosen.orEmpty().filter { it !in WITHOUT_PROXY }
            if (!faultProxy && proxied.isNotEmpty()) {
                add(
                    "$proxied need the fault proxy: start the cluster with faultProxy = true (config.faultProxy(true) in Java), " +
                        "or use ${WITHOUT_PROXY.joinToString(" and ")} only",
                )
            }
            for (fault in listOf(NemesisFault.LEADER_MOVE, NemesisFault.PARTITION_ERRORS)) {
                if (chosen != null && fault in chosen && topics.isEmpty()) add("$fault needs the topics it acts on: topics(\"orders\", ...)")
            }
            for (fault in listOf(NemesisFault.LEADER_MOVE, NemesisFault.SLOW_REPLICATION)) {
                if (chosen != null && fault in chosen && brokers < 2) add("$fault needs at least 2 brokers; this cluster has $brokers")
            }
        }

    /** The faults to draw from for this cluster: the chosen ones, or every kind it supports. */
    internal fun effectiveFaults(
        brokers: Int,
        faultProxy: Boolean,
    ): List<NemesisFault> = (faults ?: NemesisFault.entries.filter { supported(it, brokers, faultProxy) }).sortedBy { it.ordinal }

    private fun supported(
        fault: NemesisFault,
        brokers: Int,
        faultProxy: Boolean,
    ): Boolean =
        when (fault) {
            NemesisFault.BROKER_RESTART -> brokers >= 3
            NemesisFault.LEADER_MOVE -> brokers >= 2 && topics.isNotEmpty()
            NemesisFault.PARTITION_ERRORS -> faultProxy && topics.isNotEmpty()
            NemesisFault.SLOW_REPLICATION -> faultProxy && brokers >= 2
            else -> faultProxy
        }

    private companion object {
        /** The faults that act through the controller rather than the proxy. */
        val WITHOUT_PROXY = listOf(NemesisFault.BROKER_RESTART, NemesisFault.LEADER_MOVE)
    }
}
