package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.HeadersContext
import io.github.kproducer.dsl.HeadersScope
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext

/**
 * The [HeadersScope]s open on each thread, innermost first: what the non-suspending sends read when
 * the producer copies context headers. Each scope links to the one it replaced, so closing it brings
 * that one back.
 */
internal object ThreadHeaders {
    private val current = ThreadLocal<HeadersScope>()

    /** Opens a scope of [entries] on the calling thread; see [HeadersContext.open]. */
    fun open(entries: Map<String, String>): HeadersScope {
        val copy = LinkedHashMap<String, String>(entries.size)
        // Java's maps may hold nulls that Kotlin's types promise away.
        @Suppress("UNCHECKED_CAST")
        for ((name, value) in entries as Map<String?, String?>) {
            requireNotNull(name) { "HeadersContext.open(entries): a header name is null" }
            requireNotNull(value) { "HeadersContext.open(entries): the value of header '$name' is null" }
            copy[name] = value
        }
        return HeadersScope(copy, current.get(), Thread.currentThread()).also { current.set(it) }
    }

    /** The calling thread's innermost open scope, or null. */
    fun innermost(): HeadersScope? = current.get()

    /** Makes [outer] the calling thread's innermost scope again, or none when null. */
    fun restore(outer: HeadersScope?) {
        if (outer == null) current.remove() else current.set(outer)
    }

    /** The entries of the calling thread's innermost open scope, or null when it has none. */
    fun entries(): Map<String, String>? = current.get()?.entries

    /**
     * The calling thread's scope as a [HeadersContext], for a Java form that sends from a coroutine it
     * starts (`sendAllAsync`, say); empty when the thread has no scope.
     */
    fun asCoroutineContext(): CoroutineContext = entries()?.let { HeadersContext(it) } ?: EmptyCoroutineContext

    /** Runs [block] on the calling thread with a scope of [entries] open, when not null. */
    inline fun <T> with(
        entries: Map<String, String>?,
        block: () -> T,
    ): T {
        if (entries == null) return block()
        return open(entries).use { block() }
    }
}
