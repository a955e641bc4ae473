package io.github.kproducer.testkit.internal

import org.slf4j.LoggerFactory

/**
 * Keeps what the test kit itself runs quiet in the user's log, as [BrokerLogging] does for the
 * broker: the consumers of its reads, its admin client and its start and stop threads log only
 * warnings and errors, and not the two warnings every cluster stop makes by design, nor the
 * `NOT_CONTROLLER` errors a broker logs while the active controller moves. Loggers the user
 * configured keep their level, and the user's own clients are never touched: the rule applies to the
 * threads the test kit owns and to the calls it makes on the caller's thread ([quietly]).
 *
 * Only with Logback (the usual binding in tests); with any other binding the logs are the binding's business.
 */
internal object TestKitLogging {
    /** The `client.id` prefix of every client the test kit creates, which also names their threads. */
    const val CLIENT_ID_PREFIX: String = "kproducer-testkit-"

    /** The name prefix of the cluster's start and stop threads. */
    const val THREAD_PREFIX: String = "embedded-kafka-"

    private val depth = ThreadLocal.withInitial { 0 }

    @Volatile private var installed = false

    /** Runs [block] with this thread's Kafka logs quieted as the test kit's own. */
    fun <T> quietly(block: () -> T): T {
        install()
        depth.set(depth.get() + 1)
        try {
            return block()
        } finally {
            depth.set(depth.get() - 1)
        }
    }

    /** Whether the current thread runs test-kit work whose Kafka logs are quieted. */
    val onQuietThread: Boolean
        get() = depth.get() > 0 || Thread.currentThread().name.let { it.startsWith(THREAD_PREFIX) || it.contains(CLIENT_ID_PREFIX) }

    /** Warnings Kafka logs on every orderly stop of an embedded cluster, which say nothing about the test. */
    fun isExpectedStopWarning(message: String?): Boolean = message != null && (message.endsWith(CLOSED_TWICE) || message.endsWith(ABANDONED_QUORUM))

    /** Installs the filter once, when Logback is the binding; harmless to call often. */
    fun install() {
        if (installed) return
        synchronized(this) {
            if (installed) return
            installed = true
            if (LoggerFactory.getILoggerFactory().javaClass.name == LOGBACK_CONTEXT) {
                runCatching { LogbackQuieting.install() }
            }
        }
    }

    private const val LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext"
    private const val CLOSED_TWICE = "Attempting to close NetworkClient that has already been closed."

    /** Logged when [KraftNode.abandonQuorum] ends a Raft client without its graceful resignation. */
    private const val ABANDONED_QUORUM = "Graceful shutdown timed out after 0ms"
}
