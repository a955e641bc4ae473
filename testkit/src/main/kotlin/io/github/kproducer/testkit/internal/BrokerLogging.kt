package io.github.kproducer.testkit.internal

import org.slf4j.LoggerFactory

/**
 * Keeps the embedded broker quiet: with Logback and no level configured for the broker's loggers,
 * a broker start logs thousands of DEBUG and INFO lines. Loggers that the user configured keep
 * their level; client loggers (producer, consumer, admin) are never touched.
 */
internal object BrokerLogging {
    private val brokerLoggers =
        listOf(
            "kafka",
            "state.change.logger",
            "org.apache.kafka.controller",
            "org.apache.kafka.coordinator",
            "org.apache.kafka.image",
            "org.apache.kafka.metadata",
            "org.apache.kafka.network",
            "org.apache.kafka.queue",
            "org.apache.kafka.raft",
            "org.apache.kafka.server",
            "org.apache.kafka.snapshot",
            "org.apache.kafka.storage",
            "org.apache.kafka.common.network",
            "org.apache.kafka.common.security",
            "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.metrics",
        )

    @Volatile private var done = false

    /** The loggers this object set a level on; [TestKitLogging] does not mistake them for the user's. */
    @Volatile var loggersSetByTestKit: Set<String> = emptySet()
        private set

    fun quietUnlessConfigured() {
        if (done) return
        done = true
        if (LoggerFactory.getILoggerFactory().javaClass.name != "ch.qos.logback.classic.LoggerContext") return
        runCatching {
            val set = HashSet<String>()
            val levelClass = Class.forName("ch.qos.logback.classic.Level")
            val warn = levelClass.getField("WARN").get(null)
            for (name in brokerLoggers) {
                val logger = LoggerFactory.getLogger(name)
                if (logger.javaClass.getMethod("getLevel").invoke(logger) == null) {
                    logger.javaClass.getMethod("setLevel", levelClass).invoke(logger, warn)
                    set += name
                }
            }
            loggersSetByTestKit = set
        }
        TestKitLogging.install()
    }
}
