package io.github.kproducer.dsl.internal

import kotlinx.coroutines.Dispatchers
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Moves coroutine resumptions off Kafka's I/O thread in bursts. Resuming a suspended `send` means
 * dispatching it to its dispatcher, which costs the I/O thread far more than a record's bookkeeping;
 * with many coroutines sending, those dispatches would make the I/O thread the bottleneck. Instead
 * a completed send is pushed here (one CAS, no allocation: the callback is the node), and the push
 * that finds the queue empty schedules one drain on `Dispatchers.Default`, which resumes everything
 * queued by then. The I/O thread never runs user code either way.
 */
internal class ResumeQueue : Runnable {
    /** A queued resumption; it links itself into the queue, so queueing allocates nothing. */
    abstract class Node {
        @JvmField internal var next: Node? = null

        /** Resumes the waiting coroutine; runs on the drain's thread. */
        abstract fun resume()
    }

    private val head = AtomicReference<Node?>()

    fun push(node: Node) {
        while (true) {
            val current = head.get()
            node.next = current
            if (head.compareAndSet(current, node)) {
                // The push that makes the queue non-empty schedules the drain; later pushes ride along.
                if (current == null) Dispatchers.Default.dispatch(EmptyCoroutineContext, this)
                return
            }
        }
    }

    override fun run() {
        var node = head.getAndSet(null)
        // The queue is last-in first-out; resume in completion order.
        var reversed: Node? = null
        while (node != null) {
            val next = node.next
            node.next = reversed
            reversed = node
            node = next
        }
        while (reversed != null) {
            val next = reversed.next
            reversed.next = null
            reversed.resume()
            reversed = next
        }
    }
}
