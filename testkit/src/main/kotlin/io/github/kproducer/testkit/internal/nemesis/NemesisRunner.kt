package io.github.kproducer.testkit.internal.nemesis

import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.faults.Faults
import io.github.kproducer.testkit.nemesis.Nemesis
import io.github.kproducer.testkit.nemesis.NemesisFault
import io.github.kproducer.testkit.nemesis.NemesisStep
import org.apache.kafka.common.protocol.Errors
import org.slf4j.LoggerFactory
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLongArray
import kotlin.time.Duration.Companion.milliseconds

/**
 * Runs a [schedule] against [kafka] on one daemon thread: before each step it waits for the step's start,
 * applies the fault, waits its length, and heals it. [close] interrupts the wait, heals the running step,
 * and joins the thread.
 */
internal class NemesisRunner(
    private val kafka: EmbeddedKafka,
    override val seed: Long,
    override val schedule: List<NemesisStep>,
) : Nemesis {
    private val started = AtomicInteger()

    /** When each step actually started, in milliseconds from the nemesis' start; -1 until it has. */
    private val startedAt = AtomicLongArray(schedule.size).apply { for (i in 0 until length()) set(i, -1) }
    private val finished = CountDownLatch(1)

    @Volatile private var closing = false

    @Volatile private var failure: Throwable? = null
    private val thread = Thread(::run, "kproducer-nemesis-$seed").apply { isDaemon = true }

    init {
        thread.start()
    }

    override fun stepsStarted(): Int = started.get()

    override fun isFinished(): Boolean = finished.count == 0L

    override fun awaitFinished(timeout: java.time.Duration): Boolean = finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)

    override fun describe(): String =
        buildString {
            append("Nemesis seed $seed, ${schedule.size} steps (${started.get()} started")
            failure?.let { append("; failed: $it") }
            append("); run the same schedule with kafka.nemesis($seed) and the same settings:")
            schedule.forEachIndexed { index, step ->
                val at = startedAt.get(index)
                append("\n  ").append(if (at >= 0) "ran  " else "--   ").append(step)
                if (at >= 0 && at != step.start.toMillis()) append(" [started at %.3fs]".format(java.util.Locale.ROOT, at / 1000.0))
            }
        }

    override fun close() {
        closing = true
        thread.interrupt()
        // A restart that is under way finishes (a broker left stopped would break the next test); bounded by its startup timeout.
        thread.join()
        failure?.let { throw IllegalStateException("The nemesis failed: ${describe()}", it) }
    }

    override fun toString(): String = "Nemesis(seed=$seed, steps=${schedule.size}, started=${started.get()})"

    private fun run() {
        val origin = System.nanoTime()
        // Each step starts its pause after the previous step was healed: a broker restart's heal waits for the
        // broker to catch up, and the steps after it keep their pauses and lengths rather than run back to back.
        var healedAt = origin
        var nominalEnd = 0L
        try {
            for (step in schedule) {
                val pause = step.start.toNanos() - nominalEnd
                nominalEnd = step.start.toNanos() + step.length.toNanos()
                if (!sleepUntil(healedAt + pause)) return
                val begun = System.nanoTime()
                startedAt.set(step.index, TimeUnit.NANOSECONDS.toMillis(begun - origin))
                started.incrementAndGet()
                val heal = apply(step)
                try {
                    sleepUntil(begun + step.length.toNanos())
                } finally {
                    heal()
                }
                healedAt = System.nanoTime()
                if (closing) return
            }
        } catch (e: Throwable) {
            failure = e
            log.error("The nemesis (seed {}) failed: {}", seed, e.toString())
        } finally {
            finished.countDown()
        }
    }

    /** Applies [step] and returns what heals it. */
    private fun apply(step: NemesisStep): () -> Unit {
        log.info("Nemesis {}: {}", seed, step)
        if (step.fault == NemesisFault.BROKER_RESTART) {
            // Never the last broker, nor one already down (a test may have stopped one).
            if (!kafka.isRunning(step.broker) || kafka.brokerIds.count { kafka.isRunning(it) } < 3) return {}
            kafka.stopBroker(step.broker)
            return { kafka.startBroker(step.broker) }
        }
        if (step.fault == NemesisFault.LEADER_MOVE) {
            // The leadership stays where it moved: nothing to heal.
            kafka.moveLeader(step.detail.substringBeforeLast('-'), step.detail.substringAfterLast('-').toInt(), step.broker)
            return {}
        }
        val faults: Faults =
            kafka.faults {
                when (step.fault) {
                    NemesisFault.PRODUCE_ERRORS -> {
                        produce(broker = step.broker) { respond(Errors.valueOf(step.detail)) }
                    }

                    NemesisFault.DROPPED_ANSWERS -> {
                        produce(broker = step.broker) { drop() }
                    }

                    NemesisFault.DELAYED_ANSWERS -> {
                        produce(broker = step.broker) { delay(millis(step)) }
                    }

                    NemesisFault.LATENCY -> {
                        latency(millis(step), broker = step.broker)
                    }

                    NemesisFault.THROTTLED_ANSWERS -> {
                        produce(broker = step.broker) { throttle(millis(step)) }
                    }

                    NemesisFault.PARTITION_ERRORS -> {
                        val (where, error) = step.detail.split(' ')
                        produce(topic = where.substringBeforeLast('-'), partition = where.substringAfterLast('-').toInt()) {
                            respondForPartition(Errors.valueOf(error))
                        }
                    }

                    NemesisFault.SLOW_REPLICATION -> {
                        // Detail: "from broker F, Nms": F leads, the step's broker follows.
                        val leader =
                            step.detail
                                .removePrefix("from broker ")
                                .substringBefore(',')
                                .toInt()
                        val latency =
                            step.detail
                                .substringAfter(", ")
                                .removeSuffix("ms")
                                .toLong()
                                .milliseconds
                        slowReplication(leader = leader, follower = step.broker, latency = latency)
                    }

                    NemesisFault.CUT_CONNECTIONS -> {
                        refuseConnections(step.length.toMillis().milliseconds, broker = step.broker)
                    }

                    NemesisFault.BROKER_RESTART, NemesisFault.LEADER_MOVE -> {
                        error("handled above")
                    }
                }
            }
        if (step.fault == NemesisFault.CUT_CONNECTIONS) faults.cutConnections(step.broker)
        return { faults.close() }
    }

    private fun millis(step: NemesisStep) =
        step.detail
            .removeSuffix("ms")
            .toLong()
            .milliseconds

    /** Sleeps until [deadline] (`System.nanoTime()`); `false` when closing interrupted it. */
    private fun sleepUntil(deadline: Long): Boolean {
        while (true) {
            if (closing) return false
            val left = deadline - System.nanoTime()
            if (left <= 0) return true
            try {
                TimeUnit.NANOSECONDS.sleep(left)
            } catch (_: InterruptedException) {
                return false
            }
        }
    }

    private companion object {
        val log = LoggerFactory.getLogger(Nemesis::class.java)!!
    }
}
