package io.github.kproducer.dsl.internal.delivery

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
 * Work that a Kafka callback hands off its I/O thread: it links itself into a queue, so queueing
 * allocates nothing (the callback is the node). A node sits in at most one queue at a time.
 */
internal abstract class QueuedWork {
    @JvmField internal var next: QueuedWork? = null

    /** Runs on the queue's drain thread, never on Kafka's I/O thread. */
    abstract fun runQueued()
}
