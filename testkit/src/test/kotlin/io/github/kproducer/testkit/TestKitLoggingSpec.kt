package io.github.kproducer.testkit

import ch.qos.logback.classic.Level
import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.LoggerContext
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.Appender
import ch.qos.logback.core.read.ListAppender
import io.kotest.core.annotation.DoNotParallelize
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.NotLeaderOrFollowerException
import org.apache.kafka.common.errors.OutOfOrderSequenceException
import org.apache.kafka.common.serialization.StringSerializer
import org.slf4j.LoggerFactory
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds
import kotlin.time.measureTime

/**
 * What a user sees in the log when their Logback has no configuration (every logger at DEBUG):
 * the test kit's own clients and its start and stop threads stay quiet, the user's clients do not.
 * Runs alone, because it changes the JVM's logging for its duration.
 */
@DoNotParallelize
class TestKitLoggingSpec :
    FunSpec({
        /** Runs [block] with Logback as if unconfigured (root at DEBUG, no logger levels), capturing every event. */
        fun unconfiguredLogback(block: () -> Unit): List<ILoggingEvent> {
            val context = LoggerFactory.getILoggerFactory() as LoggerContext
            val root = context.getLogger(Logger.ROOT_LOGGER_NAME)
            val levels = context.loggerList.filter { it.level != null && it !== root }.associateWith { it.level }
            val rootLevel = root.level
            val appenders = ArrayList<Appender<ILoggingEvent>>().also { list -> root.iteratorForAppenders().forEach { list += it } }
            val captured =
                object : ListAppender<ILoggingEvent>() {
                    override fun append(event: ILoggingEvent) {
                        // Logback names the thread when first asked: ask now, on the logging thread.
                        event.prepareForDeferredProcessing()
                        super.append(event)
                    }
                }.apply { this.context = context }
            captured.start()
            try {
                levels.keys.forEach { it.level = null }
                root.level = Level.DEBUG
                appenders.forEach { root.detachAppender(it) }
                root.addAppender(captured)
                block()
            } finally {
                root.detachAppender(captured)
                appenders.forEach { root.addAppender(it) }
                levels.forEach { (logger, level) -> logger.level = level }
                root.level = rootLevel
            }
            return synchronized(captured.list) { captured.list.toList() }
        }

        test("the test kit's own clients, starts and stops log no DEBUG or INFO, no stop warnings and no errors; the user's clients still log") {
            val testThread = Thread.currentThread().name
            var closeTook = 0.seconds
            val events =
                unconfiguredLogback {
                    val kafka = EmbeddedKafka { brokers = 3 }
                    try {
                        kafka.createTopic("logged", partitions = 3, replicationFactor = 3)
                        KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use { producer ->
                            producer.send(ProducerRecord("logged", "k", "v")).get(30, TimeUnit.SECONDS)
                        }
                        kafka.readStrings("logged", 1)
                        kafka.readAllStrings("logged")
                        kafka.stopBroker(2)
                        kafka.startBroker(2)
                    } finally {
                        closeTook = measureTime { kafka.close() }
                    }
                }
            println("[figures] a 3-broker cluster closed after a restart in $closeTook; ${events.size} events logged with Logback unconfigured")

            fun ILoggingEvent.line() =
                "$level [$threadName] $loggerName - $formattedMessage" + (throwableProxy?.let { " (${it.className}: ${it.message})" } ?: "")
            val kafkaLoggers = events.filter { it.loggerName.startsWith("org.apache.kafka") || it.loggerName.startsWith("kafka") }
            val chatty = kafkaLoggers.filter { !it.level.isGreaterOrEqual(Level.WARN) }

            // The user's producer (on the test thread, outside any test-kit call) logs as Kafka does.
            chatty.filter { it.threadName == testThread && it.loggerName.startsWith("org.apache.kafka.clients.producer") }.shouldNotBeEmpty()
            // The test kit's readers and admin clients (their calls run on the test thread) do not.
            chatty
                .filter { it.threadName == testThread && (it.loggerName.contains(".consumer.") || it.loggerName.contains(".admin.")) }
                .map { it.line() }
                .shouldBeEmpty()
            chatty.filter { it.threadName.contains("kproducer-testkit-") || it.threadName.startsWith("embedded-kafka-") }.map { it.line() }.shouldBeEmpty()
            kafkaLoggers
                .filter { it.level.isGreaterOrEqual(Level.WARN) }
                .filter { it.formattedMessage.contains("already been closed") || it.formattedMessage.contains("Graceful shutdown") }
                .map { it.line() }
                .shouldBeEmpty()
            kafkaLoggers.filter { it.level == Level.ERROR }.map { it.line() }.shouldBeEmpty()
            // Kafka's graceful Raft shutdown waits 5 s for a successor when the whole quorum stops.
            closeTook shouldBeLessThan 5.seconds
        }

        test("a coordinator load cancelled by a moved partition is left out; a refused earlier sequence is explained once") {
            EmbeddedKafka().use { } // installs the test kit's hook
            val coordinator = "org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime"
            val refusal =
                "Out of order sequence number for producer 9 at offset 40 in partition quiet-0: 0 (incoming seq. number), 39 (current end sequence number)"
            val events =
                unconfiguredLogback {
                    val runtime = LoggerFactory.getLogger(coordinator)
                    runtime.error("Failed to load metadata from __consumer_offsets-0", NotLeaderOrFollowerException("no longer the leader"))
                    runtime.error("Failed to load something else", IllegalStateException("a real failure"))
                    val replicaManager = LoggerFactory.getLogger("kafka.server.ReplicaManager")
                    repeat(3) { replicaManager.error("Error processing append operation on partition quiet-0", OutOfOrderSequenceException(refusal)) }
                }

            fun List<ILoggingEvent>.of(logger: String) = filter { it.loggerName == logger }.map { it.formattedMessage }
            events.of(coordinator) shouldBe listOf("Failed to load something else")
            events.of("kafka.server.ReplicaManager") shouldBe listOf("Error processing append operation on partition quiet-0")
            events.of("io.github.kproducer.testkit.EmbeddedKafka").single() shouldContain "KAFKA-15591"
        }
    })
