package io.github.kproducer.testkit.internal

/**
 * Which embedded cluster a thread works for. A cluster's nodes start inside [within] its [Tag], and
 * every thread Kafka creates while they start (request handlers, network processors, schedulers), and
 * every thread those create later, inherits it: so a broker's log line, seen by the test kit's logging
 * hook on the thread that logs it, can be told apart from one of another cluster of the same JVM (Kotest
 * runs specs at once; each may have its own cluster).
 */
internal object ClusterThreads {
    /**
     * One cluster's mark. [owner] is the test-kit extension that started the cluster, when one did:
     * what a test's failure is explained with comes from its own extension's clusters, or from clusters
     * no extension owns, never from another spec's.
     */
    class Tag {
        @Volatile var owner: Any? = null
    }

    private val current = InheritableThreadLocal<Tag?>()

    /** The cluster the calling thread works for, or null for a thread no embedded cluster started. */
    val tag: Tag? get() = current.get()

    /** Runs [block] as a thread of [tag]'s cluster: the threads it creates inherit the tag. */
    fun <T> within(
        tag: Tag,
        block: () -> T,
    ): T {
        val before = current.get()
        current.set(tag)
        try {
            return block()
        } finally {
            current.set(before)
        }
    }
}
