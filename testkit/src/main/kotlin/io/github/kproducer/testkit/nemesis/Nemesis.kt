package io.github.kproducer.testkit.nemesis

/**
 * A seeded schedule of faults running against an [io.github.kproducer.testkit.EmbeddedKafka] while a
 * workload runs, started by `kafka.nemesis(seed) { }`. The same seed, settings and brokers give the same
 * [schedule]; a failing run reproduces with its seed ([describe] names both, and so does a failed
 * [io.github.kproducer.testkit.history.HistoryCheck]).
 *
 * The schedule runs on its own daemon thread from the moment the nemesis starts; [close] ends it early,
 * heals what it injected and restarts a broker it stopped. Use it with `use { }` (Kotlin) or
 * try-with-resources (Java). Thread-safe.
 */
public interface Nemesis : AutoCloseable {
    /** The seed the schedule was drawn from. */
    public val seed: Long

    /** Every step of the schedule, in order. */
    public val schedule: List<NemesisStep>

    /** How many steps have started so far. */
    public fun stepsStarted(): Int

    /** Whether every step has run and been healed. */
    public fun isFinished(): Boolean

    /**
     * Blocks until every step has run and been healed, at most [timeout]; returns whether it has.
     *
     * @throws InterruptedException when the waiting thread is interrupted.
     */
    public fun awaitFinished(timeout: java.time.Duration): Boolean

    /** The seed and the schedule, one step per line, marking the steps that ran; with how to run the same schedule again. */
    public fun describe(): String

    /**
     * Stops the schedule, heals the step that is running (its faults close; a stopped broker starts again
     * and catches up), and returns when that is done. Idempotent.
     *
     * @throws IllegalStateException when a step could not be applied or healed (a broker that did not start
     *   again, say), naming the step; the nemesis is closed anyway.
     */
    override fun close()
}
