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

/** What a [Deliveries] drain runs, and how long one item may hold back the ones after it. */
internal enum class DrainRole(
    val stallNanos: Long,
) {
    /** Outcomes that run user code in order: future stages, `onError` handlers, listeners. */
    OUTCOMES(TimeUnit.SECONDS.toNanos(1)),

    /** Resumptions of suspended sends ([ResumeQueue]): a coroutine resumed in place runs until it suspends. */
    RESUMES(TimeUnit.MILLISECONDS.toNanos(20)),
    ;

    /** Whether the current thread is running a drain of this role (of any producer). */
    val inDrain: ThreadLocal<Boolean> = ThreadLocal.withInitial { false }
}
