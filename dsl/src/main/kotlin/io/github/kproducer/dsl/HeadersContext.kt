package io.github.kproducer.dsl

import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext

/**
 * Headers carried by a coroutine context: with [KProducerOptions.copyContextHeaders] on, every
 * suspending send from inside `withContext(HeadersContext("traceId" to id)) { ... }` adds these
 * headers (UTF-8) to its record, unless the record already has a header of that name. A nested
 * `HeadersContext` replaces the outer one; combine them with [plus] to keep both.
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

    /** The key of [HeadersContext] in a coroutine context. */
    public companion object Key : CoroutineContext.Key<HeadersContext>
}
