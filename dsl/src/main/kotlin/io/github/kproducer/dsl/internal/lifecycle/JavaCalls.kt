package io.github.kproducer.dsl.internal.lifecycle

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.future.future
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Runs the Java forms of the suspending calls (`sendAllAsync`, `flushAsync`, `transactionAsync`, ...)
 * as coroutines that complete a `CompletableFuture`. Everything they run ends by itself (every record
 * ends), so a future says what happened; only a call still running when the producer has waited for
 * it at close ([cancelRunning]: a `transactionAsync` whose block's future never completes) is cancelled.
 */
internal class JavaCalls {
    private val job = SupervisorJob()
    private val scope = CoroutineScope(job + Dispatchers.Default + CoroutineName("kproducer"))

    /** Starts [block] on `Dispatchers.Default` (with [context] added) and returns the future it completes. */
    fun <T> future(
        context: CoroutineContext = EmptyCoroutineContext,
        start: CoroutineStart = CoroutineStart.DEFAULT,
        block: suspend CoroutineScope.() -> T,
    ): CompletableFuture<T> = scope.future(context, start, block)

    /** Blocks up to [timeoutMs] until every call running now has completed its future; `false` when one has not. */
    fun awaitRunning(timeoutMs: Long): Boolean {
        val running = job.children.toList()
        if (running.isEmpty()) return true
        val done = CountDownLatch(running.size)
        running.forEach { it.invokeOnCompletion { done.countDown() } }
        return done.await(timeoutMs, TimeUnit.MILLISECONDS)
    }

    /** Cancels every call still running, with [message] as the reason its future reports. */
    fun cancelRunning(message: String) {
        job.children.forEach { it.cancel(CancellationException(message)) }
    }

    /** How many calls are running now. */
    fun runningCount(): Int = job.children.count()
}
