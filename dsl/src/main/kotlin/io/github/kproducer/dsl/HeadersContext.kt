package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.send.ThreadHeaders
import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext

/**
 * Headers carried by a coroutine context: with [KProducerOptions.copyContextHeaders] on, every
 * suspending send from inside `withContext(HeadersContext("traceId" to id)) { ... }` adds these
 * headers (UTF-8) to its record, unless the record already has a header of that name. A nested
 * `HeadersContext` replaces the outer one; combine them with [plus] to keep both.
 *
 * Code that sends from a thread rather than a coroutine (Java, or Kotlin calling `sendAsync` or
 * `offer`) opens a [HeadersScope] with [open] instead. The two never mix: a suspending send reads
 * only its coroutine's `HeadersContext`, because a coroutine moves between threads and what a thread
 * has open says nothing about it; `sendAsync`, `offer`, `sendAllAsync`, `sendAllSettledAsync` and the
 * sends of `inTransaction` and `transactionAsync` read only the calling thread's scope.
 */
public class HeadersContext(
    /** Header name to value. */
    public val entries: Map<String, String>,
) : AbstractCoroutineContextElement(HeadersContext) {
    /** Creates the context from name-value pairs. */
    public constructor(vararg entries: Pair<String, String>) : this(entries.toMap())

    /** Returns a context with this one's entries plus [more], [more] winning. */
    public operator fun plus(more: HeadersContext): HeadersContext = HeadersContext(entries + more.entries)

    override fun toString(): String = "HeadersContext(${entries.keys})"

    /**
     * The key of [HeadersContext] in a coroutine context, and the holder of [open], which Java calls
     * as `HeadersContext.open(...)`.
     */
    public companion object Key : CoroutineContext.Key<HeadersContext> {
        /**
         * Opens a scope on the calling thread in which the non-suspending sends of a producer built with
         * `copyContextHeaders(true)` add [entries] (UTF-8) to each record, unless the record already has a
         * header of that name; close it to end that, best with try-with-resources
         * (`try (HeadersScope scope = HeadersContext.open(Map.of("trace-id", id))) { producer.sendAsync(...); }`)
         * or Kotlin's `use`.
         *
         * The sends that read the scope: `sendAsync`, `offer`, `sendAllAsync` and `sendAllSettledAsync`
         * called on this thread, and the sends of an `inTransaction` or `transactionAsync` called on this
         * thread (the block of `transactionAsync` runs with the scope that was open when it was called,
         * though on another thread). Suspending sends ignore it: they read the coroutine's
         * [HeadersContext].
         *
         * Threading: the scope is this thread's alone. Work handed to another thread (an executor, a
         * future's callback) does not see it; open a scope there. A scope opened inside another replaces
         * the outer one's entries (as a nested [HeadersContext] does; pass both maps to keep both), and
         * closing it brings the outer one back.
         *
         * @param entries header name to value; copied, so later changes to the map do not show.
         * @return the open scope, to close on this thread.
         * @throws IllegalArgumentException when a header name or value is null (possible from Java only).
         */
        @JvmStatic
        public fun open(entries: Map<String, String>): HeadersScope = ThreadHeaders.open(entries)
    }
}

/**
 * Headers that the non-suspending sends on one thread add to their records, from
 * [HeadersContext.open] until [close]; see [HeadersContext.open] for which sends read them.
 *
 * Threading: a scope belongs to the thread that opened it, and only that thread may close it.
 */
public class HeadersScope internal constructor(
    internal val entries: Map<String, String>,
    private val outer: HeadersScope?,
    private val owner: Thread,
) : AutoCloseable {
    @Volatile private var closed = false

    /**
     * Closes this scope: the sends on its thread go back to the headers of the scope that was open when
     * this one was opened, or to none. Closing it again does nothing.
     *
     * @throws IllegalStateException when called on a thread other than the one that opened the scope, or
     *   while a scope opened inside this one is still open; the scope then stays open.
     */
    override fun close() {
        if (closed) return
        val caller = Thread.currentThread()
        check(caller === owner) {
            "HeadersScope.close() was called on thread '${caller.name}', but the scope belongs to thread '${owner.name}', " +
                "which opened it with HeadersContext.open(...): close it on that thread (try-with-resources does), " +
                "and open a scope of its own on each thread that sends"
        }
        check(ThreadHeaders.innermost() === this) {
            "HeadersScope.close() was called while a scope opened inside it with HeadersContext.open(...) is still open: " +
                "close the inner scope first (try-with-resources does)"
        }
        closed = true
        ThreadHeaders.restore(outer)
    }

    override fun toString(): String = "HeadersScope(${entries.keys}${if (closed) ", closed" else ""})"
}
