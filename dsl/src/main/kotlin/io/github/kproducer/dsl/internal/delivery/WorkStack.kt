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
 * A lock-free stack of [QueuedWork], taken whole and turned into a list oldest first. The push that
 * finds it empty returns `true`.
 */
internal class WorkStack {
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
}
