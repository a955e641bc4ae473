package io.github.kproducer.dsl.internal.delivery

import io.github.kproducer.dsl.internal.send.SendWatchdog
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.future.await
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.EmptyCoroutineContext

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
    private val role: DrainRole = DrainRole.OUTCOMES,
) : Runnable {
    private val queued = WorkStack()

    /** What the running drain works through, oldest first; taken from [queued] a batch at a time. */
    private val batch = AtomicReference<QueuedWork?>()
    private val draining = AtomicBoolean()

    /** Which drain may go on: a drain that finds it changed was replaced while it stalled, and stops. */
    @Volatile private var generation = 0

    /** Orders a drain's take of a new batch against its replacement ([checkStall]). */
    private val takeLock = Any()

    /**
     * Twice the deliveries started, plus one while a delivery runs: the watchdog compares it between
     * ticks to tell a stall from progress or an idle drain. Written with release stores (no fence
     * per delivery); the watchdog's reads, 10 ms apart, need no more.
     */
    private val progress = AtomicLong()
    private var stalledSince = 0L
    private var seenProgress = -2L

    /** When the running drain took its batch; read and written on the drain's thread only. */
    private var sliceStart = 0L

    init {
        SendWatchdog.watch(this)
    }

    fun deliver(work: QueuedWork) {
        queued.push(work)
        if (!draining.get() && draining.compareAndSet(false, true)) executor.execute(this)
    }

    override fun run() {
        val inDrain = role.inDrain
        val previous = inDrain.get()
        inDrain.set(true)
        val mine = generation
        sliceStart = System.nanoTime()
        try {
            while (mine == generation) {
                val node = batch.get()
                if (node == null) {
                    // A drain that was replaced must not take: its take would overwrite the batch of the drain that replaced it.
                    val took =
                        synchronized(takeLock) {
                            if (mine != generation) return
                            batch.get() == null && queued.takeInto(batch)
                        }
                    if (took) {
                        sliceStart = System.nanoTime()
                        continue
                    }
                    if (batch.get() != null) continue
                    draining.set(false)
                    // A push between the last take and the reset above found `draining` still set; take it now.
                    if (queued.isEmpty || !draining.compareAndSet(false, true)) return
                    continue
                }
                if (!batch.compareAndSet(node, node.next)) continue
                node.next = null
                val started = progress.get() + 2
                progress.lazySet(started or 1)
                try {
                    node.runQueued()
                } catch (e: Throwable) {
                    log.error("kproducer: a completion threw; it is dropped so that the others still run", e)
                } finally {
                    progress.lazySet(started)
                }
            }
        } finally {
            inDrain.set(previous)
        }
    }

    /** On the drain's thread, while it delivers: whether less than [nanos] passed since it took its current batch. */
    fun inSlice(nanos: Long): Boolean = System.nanoTime() - sliceStart < nanos

    /** Called by the watchdog every tick: replaces a drain stalled in one delivery for its role's stall time. */
    internal fun checkStall(
        now: Long,
        paused: Boolean = false,
    ) {
        val seen = progress.get()
        // After a pause of the whole JVM (a collection) the watchdog's clock jumped: that is no stall of the drain.
        if (paused || seen and 1L == 0L || seen != seenProgress) {
            seenProgress = seen
            stalledSince = now
            return
        }
        // Only outcomes waiting behind the stalled one need a new drain.
        if (now - stalledSince < role.stallNanos || (batch.get() == null && queued.isEmpty)) return
        if (role == DrainRole.OUTCOMES) {
            log.warn(
                "kproducer: a future stage, onError handler or listener has run for over {} ms (blocking on a later outcome of " +
                    "the same producer?); the outcomes after it are delivered on another thread",
                TimeUnit.NANOSECONDS.toMillis(role.stallNanos),
            )
        } else {
            log.debug(
                "kproducer: a coroutine resumed after its send has held the resuming thread for over {} ms; the other resumptions " +
                    "continue on another thread",
                TimeUnit.NANOSECONDS.toMillis(role.stallNanos),
            )
        }
        synchronized(takeLock) { generation++ }
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
        if (role.inDrain.get()) return null
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
    }
}
