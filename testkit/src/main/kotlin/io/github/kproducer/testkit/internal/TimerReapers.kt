package io.github.kproducer.testkit.internal

import org.apache.kafka.server.util.ShutdownableThread
import java.util.concurrent.locks.LockSupport

/**
 * Shortens a node's stop by the time Kafka's timer threads take to notice it.
 *
 * Kafka's expiration reapers (of the Raft client, of every request purgatory, of the client-metrics
 * and share-fetch timers) block in a timer poll of up to 200 ms and look at their stop flag only
 * between polls; their shutdown sets the flag and then waits for the thread, and some wake it first
 * with a task that the timer runs at once instead. So each of them costs a stop up to 200 ms, on
 * average about half of that, one after another (about 150 ms of a warm single-node close went to
 * the Raft client's alone).
 *
 * While [during] runs a stop, a helper thread watches the reapers that existed when it began and
 * interrupts each one whose shutdown Kafka has begun: the interrupt ends its poll, and Kafka's
 * `ShutdownableThread` swallows the failure of a thread it is stopping. Nothing else changes: a reaper
 * is only interrupted after Kafka itself asked it to stop, in Kafka's own order, so what a stop waits
 * for (a controlled shutdown, the logs closed) is the same. Reapers only move expired tasks to an
 * executor, so an interrupt cannot cut a task short.
 */
internal object TimerReapers {
    private val reaperClasses =
        setOf(
            "org.apache.kafka.raft.TimingWheelExpirationService\$ExpiredOperationReaper",
            "org.apache.kafka.server.purgatory.DelayedOperationPurgatory\$ExpiredOperationReaper",
            "org.apache.kafka.server.util.timer.SystemTimerReaper\$Reaper",
        )

    private const val WATCH_INTERVAL_NANOS = 1_000_000L

    /** Runs [stop], waking the reapers it shuts down as soon as their shutdown begins. */
    fun <T> wakeDuring(stop: () -> T): T {
        val reapers = running()
        if (reapers.isEmpty()) return stop()
        val watcher = Watcher(reapers)
        watcher.start()
        try {
            return stop()
        } finally {
            watcher.done = true
            LockSupport.unpark(watcher)
        }
    }

    /**
     * Wakes every reaper whose shutdown Kafka has begun (in any cluster of this JVM) and waits up to
     * [timeoutMs] for them to end: for a stop that Kafka ran itself, outside [wakeDuring] (a failing
     * start cleaning up after itself).
     */
    fun finishStopping(timeoutMs: Long) {
        val deadline = System.nanoTime() + timeoutMs * 1_000_000
        val stopping = threads().filter { it.isShutdownInitiated }
        stopping.forEach { it.interrupt() }
        for (reaper in stopping) reaper.join(((deadline - System.nanoTime()) / 1_000_000).coerceAtLeast(1))
    }

    /** The reaper threads alive now, in every cluster of this JVM (only those being stopped get interrupted). */
    private fun running(): MutableList<ShutdownableThread> = threads().filterTo(ArrayList()) { !it.isShutdownInitiated }

    /** Every reaper thread alive now, in every cluster of this JVM. */
    private fun threads(): List<ShutdownableThread> {
        var root = Thread.currentThread().threadGroup ?: return ArrayList()
        while (root.parent != null) root = root.parent
        var threads = arrayOfNulls<Thread>(root.activeCount() + 64)
        var count = root.enumerate(threads, true)
        while (count == threads.size) {
            threads = arrayOfNulls(threads.size * 2)
            count = root.enumerate(threads, true)
        }
        val reapers = ArrayList<ShutdownableThread>()
        for (i in 0 until count) {
            val thread = threads[i]
            if (thread is ShutdownableThread && thread.javaClass.name in reaperClasses) reapers += thread
        }
        return reapers
    }

    private class Watcher(
        private val reapers: MutableList<ShutdownableThread>,
    ) : Thread(TestKitLogging.THREAD_PREFIX + "timer-reaper-waker") {
        @Volatile var done = false

        init {
            isDaemon = true
        }

        override fun run() {
            while (!done && reapers.isNotEmpty()) {
                val each = reapers.iterator()
                while (each.hasNext()) {
                    val reaper = each.next()
                    when {
                        !reaper.isAlive -> {
                            each.remove()
                        }

                        reaper.isShutdownInitiated -> {
                            reaper.interrupt()
                            each.remove()
                        }
                    }
                }
                LockSupport.parkNanos(WATCH_INTERVAL_NANOS)
            }
        }
    }
}
