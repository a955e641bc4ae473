package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.internal.delivery.Deliveries
import java.lang.ref.WeakReference
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong

/**
 * Interrupts a thread that waits inside Kafka's `send` or `partitionsFor` when it must not: a
 * caller's thread that went direct but met a wait anyway, or a lane's thread whose record has run
 * out of its own `max.block.ms`. (Each tick it also looks for a stalled [Deliveries] drain, and asks
 * each [FirstWriteGuard] whether its producer's id changed.)
 *
 * Why it exists: [ClientProbe] tells whether the client knows a topic, but only for an instant.
 * Between that check and the client's own (`KafkaProducer.waitOnMetadata`) the client may
 * rebootstrap and forget every topic, or other threads may take the last buffer memory; the caller's
 * thread would then wait for the whole `max.block.ms`. At high send rates some thread is always in
 * that window when an outage begins. Kafka supports interrupting a waiting `send` (it throws
 * `InterruptException` and has not appended the record), so the guarantee becomes: no caller's thread
 * waits in Kafka for longer than about two ticks ([TICK_MS]); the record then goes to its lane, where
 * waiting is allowed.
 *
 * How: each thread that sends has a [Guard] (a thread local). A guarded call writes a stamp (an
 * epoch and a mode) before it enters Kafka and takes it back after; this costs a plain write and one
 * compare-and-set. This thread wakes every [TICK_MS] while any producer is open and looks at every
 * guard: a direct call whose stamp has not changed for a whole tick, or a lane call past its
 * deadline, is a candidate. It is interrupted only if its thread is parked or waiting in one of
 * Kafka's own waits (the first frame below the JDK's is `ProducerMetadata.awaitUpdate`, directly
 * or through `SystemTime.waitObject`, or `BufferPool.allocate`), never in user code (a serializer or
 * interceptor calling a schema registry). The compare-and-set on the exact stamp makes sure the
 * interrupt can only hit the call it was aimed at; the guarded thread clears the interrupt flag
 * before it leaves [Guard.exit], so no interrupt escapes into the caller's code.
 */
internal object SendWatchdog {
    /** How often the watchdog looks; a stuck direct send is interrupted after one to two ticks. */
    const val TICK_MS: Long = 10
    private val TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MS)

    private const val MODE_BITS = 3
    private const val MODE_MASK = 7L
    private const val IDLE = 0L
    const val DIRECT: Long = 1L
    const val LANE: Long = 2L
    private const val INTERRUPTING = 3L
    private const val INTERRUPTED = 4L

    /** Which of Kafka's waits a thread was interrupted in. */
    enum class KafkaWait { METADATA, BUFFER }

    private val guards = ConcurrentLinkedQueue<WeakReference<Guard>>()
    private val deliveries = ConcurrentLinkedQueue<WeakReference<Deliveries>>()

    private val firstWrites = ConcurrentLinkedQueue<WeakReference<FirstWriteGuard<*, *>>>()

    /** Also looks at [queue] every tick, to replace a drain that a blocking stage holds ([Deliveries.checkStall]). */
    fun watch(queue: Deliveries) {
        deliveries += WeakReference(queue)
    }

    /** Also asks [guard] every tick whether its producer's id changed ([FirstWriteGuard.checkProducerId]). */
    fun watch(guard: FirstWriteGuard<*, *>) {
        firstWrites += WeakReference(guard)
    }

    private val local = ThreadLocal.withInitial { Guard(Thread.currentThread()).also { guards += WeakReference(it) } }

    /** The guard of the calling thread. */
    fun guard(): Guard = local.get()

    /** One thread's guarded calls. Only its own thread calls [enter] and [exit]. */
    class Guard internal constructor(
        internal val thread: Thread,
    ) {
        internal val stamp = AtomicLong()
        private var epoch = 0L

        /** For a lane call: the `System.nanoTime()` after which its wait is interrupted. */
        @Volatile internal var deadline = 0L

        /** What the interrupted call was waiting for; written before the interrupt. */
        @Volatile var interruptedIn: KafkaWait? = null
            internal set

        /** The watchdog's last look at [stamp]. */
        internal var lastSeen = 0L

        /**
         * Marks the start of a guarded call in [mode] ([DIRECT], or [LANE] with [deadlineNanos]) and
         * returns the token for [exit]; 0 when this thread is inside a guarded call already (the inner
         * call is not guarded).
         */
        fun enter(
            mode: Long,
            deadlineNanos: Long = 0,
        ): Long {
            if (stamp.get() and MODE_MASK != IDLE) return 0
            if (mode == LANE) deadline = deadlineNanos
            val token = (++epoch shl MODE_BITS) or mode
            stamp.lazySet(token)
            return token
        }

        /**
         * Ends the guarded call of [token]. Returns `true` when the watchdog interrupted it; the
         * interrupt flag is then cleared, and the call's outcome tells whether Kafka took the record
         * (a `send` that threw did not append it).
         */
        fun exit(token: Long): Boolean {
            if (token == 0L) return false
            val idle = token and MODE_MASK.inv()
            if (stamp.compareAndSet(token, idle)) return false
            // The watchdog took this call: let its interrupt land, then clear the flag.
            while (stamp.get() and MODE_MASK == INTERRUPTING) Thread.onSpinWait()
            Thread.interrupted()
            stamp.set(idle)
            return true
        }
    }

    // ---- the watchdog thread ----

    private val lock = Any()
    private var users = 0
    private var thread: Thread? = null

    /** Called when a producer opens: the watchdog runs while any producer is open. */
    fun retain() {
        synchronized(lock) {
            users++
            if (thread == null) {
                thread =
                    Thread(::watch, "kproducer-send-watchdog").apply {
                        isDaemon = true
                        start()
                    }
            }
        }
    }

    /** Called when a producer has closed. */
    fun release() {
        synchronized(lock) { users = maxOf(0, users - 1) }
    }

    private fun watch() {
        while (true) {
            synchronized(lock) {
                if (users == 0) {
                    thread = null
                    return
                }
            }
            try {
                Thread.sleep(TICK_MS)
            } catch (_: InterruptedException) {
                // Nobody interrupts this thread on purpose; keep watching.
            }
            val now = System.nanoTime()
            // A tick that came more than three ticks late saw the JVM paused (a collection), not a stalled drain.
            val paused = now - coarseNanos > 3 * TICK_NANOS
            coarseNanos = now
            scan(now, paused)
        }
    }

    /**
     * `System.nanoTime()` as of the last tick (at most [TICK_MS] old while a producer is open): for
     * checks that last minutes, which would otherwise read the clock for every record.
     */
    @Volatile var coarseNanos: Long = System.nanoTime()
        private set

    /** One look at every guard and every delivery queue; visible for tests. */
    internal fun scan(
        now: Long,
        paused: Boolean = false,
    ) {
        val queues = deliveries.iterator()
        while (queues.hasNext()) {
            val queue = queues.next().get()
            if (queue == null) queues.remove() else queue.checkStall(now, paused)
        }
        val writes = firstWrites.iterator()
        while (writes.hasNext()) {
            val guard = writes.next().get()
            if (guard == null) writes.remove() else guard.checkProducerId()
        }
        val iterator = guards.iterator()
        while (iterator.hasNext()) {
            val guard = iterator.next().get()
            if (guard == null || !guard.thread.isAlive) {
                iterator.remove()
                continue
            }
            val seen = guard.stamp.get()
            val due =
                when (seen and MODE_MASK) {
                    DIRECT -> seen == guard.lastSeen
                    LANE -> now - guard.deadline >= 0
                    else -> false
                }
            guard.lastSeen = seen
            if (!due) continue
            val wait = kafkaWait(guard.thread) ?: continue
            val epoch = seen and MODE_MASK.inv()
            if (!guard.stamp.compareAndSet(seen, epoch or INTERRUPTING)) continue
            guard.interruptedIn = wait
            guard.thread.interrupt()
            guard.stamp.set(epoch or INTERRUPTED)
        }
    }

    /** Which of Kafka's waits [thread] is parked in, or `null` when it is running, or waiting in anything else. */
    internal fun kafkaWait(thread: Thread): KafkaWait? {
        val state = thread.state
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) return null
        var first: StackTraceElement? = null
        for (frame in thread.stackTrace) {
            val type = frame.className
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) continue
            if (type == BUFFER_POOL && frame.methodName == "allocate") return if (first == null) KafkaWait.BUFFER else null
            if (type.startsWith(KAFKA_CLIENTS) && frame.methodName == "awaitUpdate") return KafkaWait.METADATA
            // Some versions wait through Time.waitObject, called by awaitUpdate; others wait in awaitUpdate itself.
            if (first != null || type != SYSTEM_TIME || frame.methodName != "waitObject") return null
            first = frame
        }
        return null
    }

    /** How long a tick is, in nanoseconds. */
    val tickNanos: Long = TimeUnit.MILLISECONDS.toNanos(TICK_MS)

    private const val BUFFER_POOL = "org.apache.kafka.clients.producer.internals.BufferPool"
    private const val SYSTEM_TIME = "org.apache.kafka.common.utils.SystemTime"
    private const val KAFKA_CLIENTS = "org.apache.kafka.clients."
}
