package io.github.kproducer.testkit.internal

import ch.qos.logback.classic.Level
import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.LoggerContext
import ch.qos.logback.classic.turbo.TurboFilter
import ch.qos.logback.core.spi.FilterReply
import org.apache.kafka.common.errors.NotControllerException
import org.apache.kafka.common.errors.NotLeaderOrFollowerException
import org.slf4j.LoggerFactory
import org.slf4j.Marker

/** The Logback side of [TestKitLogging]; loaded only when Logback is the binding. */
internal object LogbackQuieting {
    fun install() {
        val context = LoggerFactory.getILoggerFactory() as LoggerContext
        context.addTurboFilter(QuietTestKitClients(context).apply { start() })
    }

    private const val CONTROLLER_APIS = "kafka.server.ControllerApis"
    private const val COORDINATOR_RUNTIME = "org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime"

    private class QuietTestKitClients(
        private val context: LoggerContext,
    ) : TurboFilter() {
        override fun decide(
            marker: Marker?,
            logger: Logger,
            level: Level,
            format: String?,
            params: Array<out Any>?,
            t: Throwable?,
        ): FilterReply {
            val name = logger.name
            if (!name.startsWith("org.apache.kafka") && !name.startsWith("kafka")) return FilterReply.NEUTRAL
            if (level.isGreaterOrEqual(Level.ERROR)) {
                // A broker refusing an earlier sequence (KAFKA-15591): explained once, its repeats (a stack trace per retry) left out.
                if (t != null && name.startsWith("kafka.") && !SequenceRefusals.record(t)) return FilterReply.DENY
                // When the active controller moves (a stop or restart of the test kit's), the old one fails
                // the requests it still holds, and a restarted one the brokers' first heartbeats, with
                // NOT_CONTROLLER, which Kafka logs as an error; the senders retry with the new controller.
                // Requests answered from a future (a controller registration) carry it inside a CompletionException.
                val movedController = name == CONTROLLER_APIS && isNotController(t) && !configuredByUser(name)
                // A group or transaction coordinator whose partition moves while it loads (a broker stopped, the
                // cluster closing) logs the cancelled load as an error; the partition's new leader loads it.
                val movedCoordinator = name == COORDINATOR_RUNTIME && isNotLeader(t) && !configuredByUser(name)
                return if (movedController || movedCoordinator) FilterReply.DENY else FilterReply.NEUTRAL
            }
            // The warnings of the test kit's own stops are its artefacts, not news: hidden whatever the level.
            if (level == Level.WARN && TestKitLogging.isExpectedStopWarning(format)) return FilterReply.DENY
            if (level.isGreaterOrEqual(Level.WARN) || !TestKitLogging.onQuietThread) return FilterReply.NEUTRAL
            return if (configuredByUser(name)) FilterReply.NEUTRAL else FilterReply.DENY
        }

        private fun isNotController(t: Throwable?): Boolean = generateSequence(t) { it.cause }.take(5).any { it is NotControllerException }

        private fun isNotLeader(t: Throwable?): Boolean = generateSequence(t) { it.cause }.take(5).any { it is NotLeaderOrFollowerException }

        /** Whether the user set a level on this logger or one of its parents (the root aside). */
        private fun configuredByUser(name: String): Boolean {
            val ours = BrokerLogging.loggersSetByTestKit
            var current = name
            while (true) {
                if (current !in ours && context.exists(current)?.level != null) return true
                val dot = current.lastIndexOf('.')
                if (dot < 0) return false
                current = current.substring(0, dot)
            }
        }
    }
}
