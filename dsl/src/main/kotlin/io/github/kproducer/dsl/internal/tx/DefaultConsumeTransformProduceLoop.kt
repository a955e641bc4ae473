package io.github.kproducer.dsl.internal.tx

import io.github.kproducer.dsl.ConsumeTransformProduceLoop
import kotlinx.coroutines.Deferred
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import kotlin.coroutines.cancellation.CancellationException

/** The [ConsumeTransformProduceLoop] of one running loop, [loop]; its completion follows the coroutine's end, not the cancel. */
internal class DefaultConsumeTransformProduceLoop(
    private val loop: Deferred<Nothing>,
) : ConsumeTransformProduceLoop {
    private val ended = CompletableFuture<Void?>()

    init {
        loop.invokeOnCompletion { cause ->
            if (cause == null || cause is CancellationException) ended.complete(null) else ended.completeExceptionally(cause)
        }
    }

    override fun completion(): CompletableFuture<Void?> = ended.copy()

    override fun close(timeout: Duration): Boolean {
        require(!timeout.isNegative) { "close(timeout): the timeout must not be negative, was $timeout" }
        loop.cancel()
        return try {
            ended.get(timeout.toNanos(), TimeUnit.NANOSECONDS)
            true
        } catch (_: TimeoutException) {
            false
        } catch (_: java.util.concurrent.ExecutionException) {
            true // ended by a failed transaction; completion() carries it
        }
    }

    override fun close() {
        check(close(CLOSE_TIMEOUT)) { "ConsumeTransformProduceLoop.close(): the loop did not end within ${CLOSE_TIMEOUT.toSeconds()} s" }
    }

    override fun toString(): String = "ConsumeTransformProduceLoop(${if (ended.isDone) "ended" else "running"})"

    private companion object {
        val CLOSE_TIMEOUT: Duration = Duration.ofSeconds(30)
    }
}
