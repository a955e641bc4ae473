package io.github.kproducer.dsl.internal

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.future.await
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Work that a Kafka callback hands off its I/O thread: it links itself into a queue, so queueing
 * allocates nothing (the callback is the node). A node sits in at most one queue at a time.
 */
internal abstract class QueuedWork {
    @JvmField internal var next: QueuedWork? = null

    /** Runs on the queue's drain thread, never on Kafka's I/O thread. */
    abstract fun runQueued()
}

/**
 * A lock-free stack of [QueuedWork] taken whole and run oldest first. The push that finds it empty
 * returns `true`: its caller then schedules a drain.
 */
internal open class WorkStack {
    private val head = AtomicReference<QueuedWork?>()

    /** Pushes [work]; returns whether the stack was empty. */
    fun push(work: QueuedWork): Boolean {
        while (true) {
            val current = head.get()
            work.next = current
            if (head.compareAndSet(current, work)) return current == null
        }
    }

    val isEmpty: Boolean get() = head.get() == null

    /** Takes everything pushed so far into [target] as a list in push order; `false` when there was nothing. */
    fun takeInto(target: AtomicReference<QueuedWork?>): Boolean {
        val taken = head.getAndSet(null) ?: return false
        target.set(reversed(taken))
        return true
    }

    private fun reversed(list: QueuedWork): QueuedWork {
        var reversed: QueuedWork? = null
        var current: QueuedWork? = list
        while (current != null) {
            val next = current.next
            current.next = reversed
            reversed = current
            current = next
        }
        return reversed!!
    }

    /** Takes everything pushed so far and runs it in push order; returns whether there was anything. */
    fun runAll(): Boolean {
        var node = head.getAndSet(null) ?: return false
        // The stack is last-in first-out; run in push order.
        var reversed: QueuedWork? = reversed(node)
        while (reversed != null) {
            node = reversed
            reversed = node.next
            node.next = null
            try {
                node.runQueued()
            } catch (e: Throwable) {
                log.error("kproducer: a completion threw; it is dropped so that the others still run", e)
            }
        }
        return true
    }

    private companion object {
        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!
    }
}

/**
 * Moves coroutine resumptions off Kafka's I/O thread in bursts. Resuming a suspended `send` means
 * dispatching it to its dispatcher, which costs the I/O thread far more than a record's bookkeeping;
 * with many coroutines sending, those dispatches would make the I/O thread the bottleneck. Instead
 * a completed send is pushed here (one CAS, no allocation), and the push that finds the queue empty
 * schedules one drain on `Dispatchers.Default`, which resumes everything queued by then. Drains may
 * overlap: each resumption only dispatches, so their order does not matter.
 */
internal class ResumeQueue :
    WorkStack(),
    Runnable {
    fun resume(work: QueuedWork) {
        if (push(work)) Dispatchers.Default.dispatch(EmptyCoroutineContext, this)
    }

    override fun run() {
        runAll()
    }
}

/**
 * Delivers outcomes that run user code (a `sendAsync` future's dependent stages, an `onError`
 * handler, the listeners) off Kafka's I/O thread, one at a time and in the order they were queued.
 * Kafka calls back the records of a partition in offset order, so the futures of a partition complete
 * in offset order too, as they would on the I/O thread; a slow stage delays the ones after it, as it
 * would there. One drain runs at a time, on [executor].
 *
 * A stage that blocks until a later outcome arrives (`sendAsync(b).join()` inside a stage of `a`)
 * would wait forever behind itself. So [SendWatchdog] looks at every drain each tick: one that has
 * not moved on for [STALL_NANOS] is left to its stage, and a new drain takes over the queue (the
 * stalled stage is then the only one out of order).
 *
 * [awaitDelivered] waits until everything queued before the call has been delivered: `flush` and
 * `close` return only after the futures and handlers of every earlier record have run.
 */
internal class Deliveries(
    private val executor: Executor = Dispatchers.Default.asExecutor(),
) : Runnable {
    private val queued = WorkStack()

    /** What the running drain works through, oldest first; taken from [queued] a batch at a time. */
    private val batch = AtomicReference<QueuedWork?>()
    private val draining = AtomicBoolean()

    /** Which drain may go on: a drain that finds it changed was replaced while it stalled, and stops. */
    @Volatile private var generation = 0

    /** Counts deliveries started; the watchdog compares it between ticks. */
    @Volatile private var progress = 0L

    /** Set while a delivery runs, so that a stall is told from an idle drain. */
    @Volatile private var delivering = false
    private var stalledSince = 0L
    private var seenProgress = -1L

    init {
        SendWatchdog.watch(this)
    }

    fun deliver(work: QueuedWork) {
        queued.push(work)
        if (!draining.get() && draining.compareAndSet(false, true)) executor.execute(this)
    }

    override fun run() {
        val previous = inDrain.get()
        inDrain.set(true)
        val mine = generation
        try {
            while (mine == generation) {
                val node = batch.get()
                if (node == null) {
                    if (queued.takeInto(batch)) continue
                    draining.set(false)
                    // A push between the last take and the reset above found `draining` still set; take it now.
                    if (queued.isEmpty || !draining.compareAndSet(false, true)) return
                    continue
                }
                if (!batch.compareAndSet(node, node.next)) continue
                node.next = null
                progress++
                delivering = true
                try {
                    node.runQueued()
                } catch (e: Throwable) {
                    log.error("kproducer: a completion threw; it is dropped so that the others still run", e)
                } finally {
                    delivering = false
                }
            }
        } finally {
            inDrain.set(previous)
        }
    }

    /** Called by the watchdog every tick: replaces a drain stalled in one delivery for [STALL_NANOS]. */
    internal fun checkStall(now: Long) {
        val seen = progress
        if (!delivering || seen != seenProgress) {
            seenProgress = seen
            stalledSince = now
            return
        }
        // Only outcomes waiting behind the stalled one need a new drain.
        if (now - stalledSince < STALL_NANOS || (batch.get() == null && queued.isEmpty)) return
        log.warn(
            "kproducer: a future stage, onError handler or listener has run for over {} ms (blocking on a later outcome of " +
                "the same producer?); the outcomes after it are delivered on another thread",
            TimeUnit.NANOSECONDS.toMillis(STALL_NANOS),
        )
        generation++
        stalledSince = now
        executor.execute(this)
    }

    /** Suspends until everything delivered before this call has run. */
    suspend fun awaitDelivered() {
        marker()?.await()
    }

    /** Blocks up to [timeoutMs] until everything delivered before this call has run; `false` if time ran out. */
    fun awaitDeliveredBlocking(timeoutMs: Long): Boolean =
        try {
            marker()?.get(timeoutMs, TimeUnit.MILLISECONDS)
            true
        } catch (_: java.util.concurrent.TimeoutException) {
            false
        }

    /**
     * Queues a marker behind everything delivered so far and returns it; `null` on a drain's own thread
     * (a handler that flushes or closes the producer), where waiting for the drain would deadlock.
     */
    private fun marker(): CompletableFuture<Unit>? {
        if (inDrain.get()) return null
        val done = CompletableFuture<Unit>()
        deliver(
            object : QueuedWork() {
                override fun runQueued() {
                    done.complete(Unit)
                }
            },
        )
        return done
    }

    private companion object {
        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!

        /** Whether the current thread is running a drain (of any producer). */
        private val inDrain = ThreadLocal.withInitial { false }

        /** How long one delivery may hold the others back. */
        val STALL_NANOS: Long = TimeUnit.SECONDS.toNanos(1)
    }
}
