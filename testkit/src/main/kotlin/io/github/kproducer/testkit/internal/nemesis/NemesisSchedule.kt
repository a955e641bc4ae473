package io.github.kproducer.testkit.internal.nemesis

import io.github.kproducer.testkit.nemesis.NemesisFault
import io.github.kproducer.testkit.nemesis.NemesisStep
import org.apache.kafka.common.protocol.Errors
import java.time.Duration
import java.util.SplittableRandom

/**
 * Draws a nemesis schedule from a seed: the same seed, faults, brokers and lengths give the same steps.
 * Broker restarts are never drawn for two steps in a row on the same broker, and never leave fewer than
 * two brokers running (one step runs at a time, so one broker at most is down).
 */
internal object NemesisSchedule {
    /** The retriable errors a broker answers `Produce` with when it cannot take records now. */
    private val RETRIABLE_PRODUCE_ERRORS =
        listOf(Errors.NOT_LEADER_OR_FOLLOWER, Errors.NOT_ENOUGH_REPLICAS, Errors.REQUEST_TIMED_OUT, Errors.UNKNOWN_TOPIC_OR_PARTITION)

    /** One partition of [topics], as `topic-partition`. */
    private fun partition(
        random: SplittableRandom,
        topics: List<Pair<String, Int>>,
    ): String = topics[random.nextInt(topics.size)].let { (topic, partitions) -> "$topic-${random.nextInt(partitions)}" }

    fun draw(
        seed: Long,
        faults: List<NemesisFault>,
        brokers: List<Int>,
        /** The partition count of each topic whose leaders [NemesisFault.LEADER_MOVE] moves, in a fixed order. */
        topics: List<Pair<String, Int>>,
        steps: Int,
        stepLength: kotlin.time.Duration,
        pause: kotlin.time.Duration,
    ): List<NemesisStep> {
        val random = SplittableRandom(seed)
        val typical = stepLength.inWholeMilliseconds
        var at = 0L
        return List(steps) { index ->
            at += pause.inWholeMilliseconds
            val fault = faults[random.nextInt(faults.size)]
            val broker = brokers[random.nextInt(brokers.size)]
            val length = (typical / 2 + random.nextLong(typical + 1)).coerceAtLeast(1)
            val detail =
                when (fault) {
                    NemesisFault.PRODUCE_ERRORS -> {
                        RETRIABLE_PRODUCE_ERRORS[random.nextInt(RETRIABLE_PRODUCE_ERRORS.size)].name
                    }

                    NemesisFault.LATENCY, NemesisFault.DELAYED_ANSWERS -> {
                        "${10 + random.nextInt(191)}ms"
                    }

                    NemesisFault.LEADER_MOVE -> {
                        partition(random, topics)
                    }

                    NemesisFault.PARTITION_ERRORS -> {
                        "${partition(random, topics)} ${RETRIABLE_PRODUCE_ERRORS[random.nextInt(RETRIABLE_PRODUCE_ERRORS.size)].name}"
                    }

                    NemesisFault.THROTTLED_ANSWERS -> {
                        "${50 + random.nextInt(451)}ms"
                    }

                    NemesisFault.SLOW_REPLICATION -> {
                        "from broker ${(brokers - broker)[random.nextInt(brokers.size - 1)]}, ${10 + random.nextInt(291)}ms"
                    }

                    else -> {
                        ""
                    }
                }
            NemesisStep(index, Duration.ofMillis(at), Duration.ofMillis(length), fault, broker, detail).also { at += length }
        }
    }
}
