package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.KProducer
import io.kotest.assertions.fail
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicReference
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.nanoseconds

/**
 * What [onOneThread] saw. [longestGap] is the longest the watched thread went without a tick;
 * [longestStall] the part of it that the whole process did not share (a control ticker on another
 * thread kept ticking), so that a garbage collection or a starved CPU is not taken for a block.
 * [waitedInKafka] is the stack of the watched thread when it was once seen parked in one of Kafka's
 * waits (metadata, buffer memory), or `null`: the precise sign of a send that blocks its caller.
 */
class Watched<T>(
    val result: T,
    val longestGap: Duration,
    val longestStall: Duration,
    val slowestCall: Duration,
    val slowestCallName: String,
    val waitedInKafka: String?,
    /** How many times the watched thread ticked. */
    val ticks: Int,
)

/** The receiver of [onOneThread]'s block: times the calls that must return at once. */
class OneThread(
    scope: CoroutineScope,
) : CoroutineScope by scope {
    @Volatile var slowest = 0L

    @Volatile var slowestName = "none"

    /** Runs [call] and records how long it held the thread (for calls that must not block: `sendAsync`, `offer`). */
    inline fun <T> timed(
        name: String,
        call: () -> T,
    ): T {
        val started = System.nanoTime()
        try {
            return call()
        } finally {
            val took = System.nanoTime() - started
            if (took > slowest) {
                slowest = took
                slowestName = name
            }
        }
    }
}

/** A coroutine that ticks every 5 ms on its own single thread and records when each tick came. */
private class Ticker(
    name: String,
) {
    val executor: ExecutorService = Executors.newSingleThreadExecutor { Thread(it, name).apply { isDaemon = true } }
    val dispatcher = executor.asCoroutineDispatcher()
    val thread = CompletableDeferred<Thread>().also { t -> executor.execute { t.complete(Thread.currentThread()) } }

    /** Pairs of (tick time, gap since the tick before), in nanoseconds. */
    val ticks = ConcurrentLinkedQueue<LongArray>()

    fun start(scope: CoroutineScope): Job =
        scope.launch(dispatcher) {
            var last = System.nanoTime()
            while (isActive) {
                delay(5.milliseconds)
                val now = System.nanoTime()
                ticks += longArrayOf(now, now - last)
                last = now
            }
        }

    /** The longest gap of this ticker that overlaps the interval from [from] to [to]. */
    fun longestGapWithin(
        from: Long,
        to: Long,
    ): Long = ticks.filter { (at, gap) -> at >= from && at - gap <= to }.maxOfOrNull { it[1] } ?: 0
}

/** Kafka's waits a caller's thread must never be parked in. */
private val kafkaWaits = setOf("awaitUpdate", "waitObject", "allocate", "waitOnMetadata")

/**
 * Whether [frames], taken after the thread's state said WAITING or TIMED_WAITING, show it waiting in one
 * of Kafka's waits for metadata or buffer memory. The stack must be parked itself (its top frame a park or
 * an `Object.wait`): state and stack are read apart, and the thread may have run on in between. And the
 * park must not be the acquisition of a lock on the way (`ReentrantLock.lock` below Kafka's frame): the
 * buffer pool's lock is held for a few instructions at a time, and a thread that meets it taken is not
 * waiting for memory; a thread that is waits on the pool's condition (`ConditionObject.await`).
 */
internal fun parkedInKafkaWait(frames: Array<StackTraceElement>): Boolean {
    val top = frames.firstOrNull() ?: return false
    val parked =
        (top.className == "jdk.internal.misc.Unsafe" && top.methodName == "park") ||
            (top.className == "java.lang.Object" && top.methodName.startsWith("wait"))
    if (!parked) return false
    val kafka = frames.indexOfFirst { it.className.startsWith("org.apache.kafka.clients.producer") && it.methodName in kafkaWaits }
    if (kafka < 0) return false
    return frames.take(kafka).none { it.className == "java.util.concurrent.locks.ReentrantLock" && it.methodName == "lock" }
}

/**
 * Runs [block] on a new single-threaded dispatcher, beside a ticker coroutine on the same thread
 * that ticks every 5 ms, a control ticker on a thread of its own, and a sampler that looks at the
 * watched thread every 2 ms. A call that blocks the thread shows as a gap between ticks that the
 * control does not share, and, when it blocks inside Kafka, in the sampler; a call that only
 * suspends shows neither. The block is awaited from the caller's own thread, so a blocked watched
 * thread cannot defeat the time limit: after [limit] this fails, showing where the watched thread is.
 */
suspend fun <T> onOneThread(
    limit: Duration,
    block: suspend OneThread.() -> T,
): Watched<T> {
    val watched = Ticker("the-only-thread")
    val control = Ticker("control-ticker")
    val thread = watched.thread.await()
    val outcome = CompletableDeferred<Pair<T, OneThread>>()
    val scope = CoroutineScope(Job())
    val controlJob = control.start(scope)
    val tickerJob = watched.start(scope)
    val sampling = AtomicBoolean(true)
    val waitedInKafka = AtomicReference<String?>()
    val sampler =
        Thread {
            while (sampling.get()) {
                val state = thread.state
                if (waitedInKafka.get() == null && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)) {
                    val frames = thread.stackTrace
                    if (parkedInKafkaWait(frames)) {
                        waitedInKafka.set(frames.take(20).joinToString("\n") { "    at $it" })
                    }
                }
                Thread.sleep(2)
            }
        }.apply {
            isDaemon = true
            start()
        }
    scope.launch(watched.dispatcher) {
        val watcher = OneThread(this)
        try {
            outcome.complete(watcher.block() to watcher)
        } catch (e: Throwable) {
            outcome.completeExceptionally(e)
        } finally {
            tickerJob.cancel()
        }
    }
    try {
        val (result, watcher) =
            withTimeoutOrNull(limit) { outcome.await() }
                ?: fail(
                    "the calls did not end within $limit; the watched thread is at:\n" +
                        thread.stackTrace.take(25).joinToString("\n") { "    at $it" },
                )
        tickerJob.join()
        val worst = watched.ticks.maxByOrNull { it[1] } ?: longArrayOf(0, 0)
        val (at, gap) = worst
        val shared = control.longestGapWithin(at - gap, at)
        return Watched(
            result,
            gap.nanoseconds,
            (gap - shared).coerceAtLeast(0).nanoseconds,
            watcher.slowest.nanoseconds,
            watcher.slowestName,
            waitedInKafka.get(),
            watched.ticks.size,
        )
    } finally {
        sampling.set(false)
        controlJob.cancel()
        scope.coroutineContext[Job]!!.cancel()
        watched.executor.shutdownNow()
        control.executor.shutdownNow()
        sampler.join(1_000)
    }
}

/**
 * The partition count this producer's Kafka client holds in its metadata for [topic] right now, -1
 * when it holds none (after a rebootstrap, say). Read from the client itself, not through kproducer.
 */
fun KProducer<*, *>.clientPartitionCount(topic: String): Int {
    val field = org.apache.kafka.clients.producer.KafkaProducer::class.java.getDeclaredField("metadata").apply { isAccessible = true }
    val metadata = field.get(producer) as org.apache.kafka.clients.Metadata
    return metadata.fetch().partitionCountForTopic(topic) ?: -1
}
