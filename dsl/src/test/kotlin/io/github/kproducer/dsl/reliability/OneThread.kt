package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.KProducer
import io.kotest.assertions.fail
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.nanoseconds

/** What [onOneThread] saw: the block's result, the longest gap between two ticks, and the slowest call timed with [OneThread.timed]. */
class Watched<T>(
    val result: T,
    val longestGap: Duration,
    val slowestCall: Duration,
    val slowestCallName: String,
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

/**
 * Runs [block] on a new single-threaded dispatcher, beside a ticker coroutine on the same thread
 * that ticks every 5 ms. A call that blocks the thread shows as a gap between ticks; a call that
 * only suspends does not. The block is awaited from the caller's own thread, so a blocked watched
 * thread cannot defeat the time limit: after [limit] this fails, showing where the watched thread is.
 */
suspend fun <T> onOneThread(
    limit: Duration,
    block: suspend OneThread.() -> T,
): Watched<T> {
    val executor = Executors.newSingleThreadExecutor { Thread(it, "the-only-thread").apply { isDaemon = true } }
    val thread = CompletableDeferred<Thread>()
    executor.execute { thread.complete(Thread.currentThread()) }
    val dispatcher = executor.asCoroutineDispatcher()
    val longest = AtomicLong()
    val outcome = CompletableDeferred<Pair<T, OneThread>>()
    val job =
        CoroutineScope(dispatcher).launch {
            val ticker =
                launch {
                    var last = System.nanoTime()
                    while (isActive) {
                        delay(5.milliseconds)
                        val now = System.nanoTime()
                        longest.accumulateAndGet(now - last, ::maxOf)
                        last = now
                    }
                }
            val watcher = OneThread(this)
            try {
                outcome.complete(watcher.block() to watcher)
            } catch (e: Throwable) {
                outcome.completeExceptionally(e)
            } finally {
                ticker.cancel()
            }
        }
    try {
        val (result, watcher) =
            withTimeoutOrNull(limit) { outcome.await() }
                ?: fail(
                    "the calls did not end within $limit; the watched thread is at:\n" +
                        thread
                            .await()
                            .stackTrace
                            .take(25)
                            .joinToString("\n") { "    at $it" },
                )
        return Watched(result, longest.get().nanoseconds, watcher.slowest.nanoseconds, watcher.slowestName)
    } finally {
        job.cancel()
        executor.shutdownNow()
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
