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
 * Moves coroutine resumptions off Kafka's I/O thread in bursts. Resuming a suspended `send` means
 * dispatching it to its dispatcher, which costs the I/O thread far more than a record's bookkeeping;
 * with many coroutines sending, those dispatches would make the I/O thread the bottleneck. Instead
 * a completed send is queued here (one CAS, no allocation), and one drain at a time resumes
 * everything queued, on `Dispatchers.Default`.
 *
 * A coroutine whose dispatcher is `Dispatchers.Default` itself is resumed in place, on the drain's
 * thread, which is already one of that dispatcher's threads: its code runs until it suspends again
 * (the next `send`, say) or ends, with no trip through the scheduler's queues. So that one
 * coroutine's long stretch of code does not hold up the others, a drain resumes in place only for
 * [SLICE_NANOS] after it took its batch; the rest of the batch is dispatched. A coroutine that
 * blocks the drain's thread for [DrainRole.RESUMES]' stall time is left to it, and a new drain takes
 * over the queue ([Deliveries.checkStall]). Other dispatchers are always dispatched to.
 */
internal class ResumeQueue {
    private val drain = Deliveries(role = DrainRole.RESUMES)

    fun resume(work: QueuedWork) {
        drain.deliver(work)
    }

    /** On the drain's thread: whether a `Dispatchers.Default` coroutine may be resumed in place now. */
    fun mayResumeInPlace(): Boolean = drain.inSlice(SLICE_NANOS)

    private companion object {
        /** How long a drain runs resumed coroutines in place before it dispatches the rest of its batch. */
        val SLICE_NANOS: Long = TimeUnit.MICROSECONDS.toNanos(200)
    }
}
