package io.github.kproducer.dsl.reliability

import ch.qos.logback.classic.Level
import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.Appender
import ch.qos.logback.core.read.ListAppender
import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.SaslMechanism
import io.github.kproducer.dsl.internal.config.Secrets
import io.github.kproducer.dsl.isFatal
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.dsl.kafkaProducerSettings
import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.readStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.common.errors.SaslAuthenticationException
import org.apache.kafka.common.errors.TopicAuthorizationException
import org.apache.kafka.common.security.auth.SecurityProtocol
import org.slf4j.LoggerFactory
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

private const val ALICE_PASSWORD = "alice-pw-8c1f3e"
private const val BOB_PASSWORD = "bob-pw-42d9aa"
private const val WRONG_PASSWORD = "wrong-pw-77e0b1"

/**
 * The producer against brokers that authenticate (SASL PLAIN and SCRAM-SHA-512) and authorize (ACLs):
 * the right credentials produce, a wrong password fails fast with an authentication error, a user
 * without WRITE gets an authorization error from send, and no password shows in toString() or in
 * anything the client or the broker logs, even at DEBUG.
 */
class SecuritySpec :
    FunSpec({
        test("credentials, ACLs and secrets end to end") {
            val captured = LogCapture()
            val figures = mutableListOf<String>()
            captured.start()
            try {
                EmbeddedKafka {
                    saslUser("alice", ALICE_PASSWORD)
                    saslUser("bob", BOB_PASSWORD)
                    acls = true
                    autoCreateTopics = false
                }.use { kafka ->
                    kafka.createTopic("payments")
                    kafka.allowProducing("alice", "payments")

                    fun producer(
                        mechanism: SaslMechanism,
                        user: String,
                        password: String,
                    ): KProducer<String, String> =
                        kafkaProducer {
                            bootstrapServers = kafka.bootstrapServers
                            securityProtocol = SecurityProtocol.SASL_PLAINTEXT
                            maxBlock = 30.seconds
                            sasl {
                                this.mechanism = mechanism
                                username = user
                                this.password = password
                            }
                        }

                    // Right credentials produce, with either mechanism.
                    for (mechanism in listOf(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_512)) {
                        producer(mechanism, "alice", ALICE_PASSWORD).use { it.send("payments", mechanism.kafkaValue, "paid") }
                    }
                    kafka.readStrings("payments", 2).map { it.key() } shouldContainExactly listOf("PLAIN", "SCRAM-SHA-512")

                    // A wrong password fails with an authentication error (not after maxBlock with a timeout), which is fatal.
                    for (mechanism in listOf(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_512)) {
                        producer(mechanism, "alice", WRONG_PASSWORD).use { producer ->
                            val started = TimeSource.Monotonic.markNow()
                            val error = shouldThrow<SaslAuthenticationException> { producer.send("payments", "k", "v") }
                            figures += "wrong password with ${mechanism.kafkaValue} failed after ${started.elapsedNow().inWholeMilliseconds} ms"
                            error.isFatal shouldBe true
                            error.message shouldNotContain WRONG_PASSWORD
                        }
                    }

                    // A principal without WRITE on the topic gets an authorization error from send; it is about the record, not fatal.
                    producer(SaslMechanism.SCRAM_SHA_512, "bob", BOB_PASSWORD).use { producer ->
                        val error = shouldThrow<TopicAuthorizationException> { producer.send("payments", "k", "v") }
                        error.unauthorizedTopics() shouldBe setOf("payments")
                        error.isFatal shouldBe false
                    }

                    // Secrets appear in no toString().
                    val settings =
                        kafkaProducerSettings<String, String> {
                            bootstrapServers = kafka.bootstrapServers
                            securityProtocol = SecurityProtocol.SASL_PLAINTEXT
                            sasl {
                                mechanism = SaslMechanism.SCRAM_SHA_512
                                username = "alice"
                                password = ALICE_PASSWORD
                            }
                        }
                    val texts =
                        listOf(
                            settings.toString(),
                            producer(SaslMechanism.PLAIN, "alice", ALICE_PASSWORD).use { it.toString() },
                            kafka.toString(),
                            kafka.settings.toString(),
                            kafka.connectionProperties("alice", "SCRAM-SHA-512").toString(),
                        )
                    texts.forEach { text -> secrets.forEach { text shouldNotContain it } }
                }
            } finally {
                captured.stop()
            }
            println(figures.joinToString("\n") { "[figures] security: $it" })

            // The capture saw the clients' configuration dumps and the failed logins, and no password.
            val lines = captured.lines()
            lines.shouldNotBeEmpty()
            lines.any { it.contains("sasl.jaas.config = [hidden]") } shouldBe true
            lines.any { it.contains("Authentication failed") || it.contains("authentication failed", ignoreCase = true) } shouldBe true
            secrets.forEach { secret -> lines.filter { it.contains(secret) } shouldBe emptyList() }
            println("[figures] security: ${lines.size} log lines captured at DEBUG, none with a password")
        }
    })

private val secrets = listOf(ALICE_PASSWORD, BOB_PASSWORD, WRONG_PASSWORD)

/**
 * Captures everything Kafka (client and broker) and kproducer log, at DEBUG, into memory; the
 * console appender is detached meanwhile so the test output stays readable.
 */
private class LogCapture {
    private val root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) as Logger
    private val appender = ListAppender<ILoggingEvent>()
    private val detached = mutableListOf<Appender<ILoggingEvent>>()
    private val levels = linkedMapOf<Logger, Level?>()
    private val debugLoggers =
        listOf(
            "org.apache.kafka",
            "org.apache.kafka.clients",
            "org.apache.kafka.clients.NetworkClient",
            "org.apache.kafka.common.security",
            "org.apache.kafka.common.network",
            "kafka",
            "kafka.server",
            "io.github.kproducer",
        )

    fun start() {
        appender.context = root.loggerContext
        appender.start()
        root.iteratorForAppenders().forEach { detached += it }
        detached.forEach { root.detachAppender(it) }
        root.addAppender(appender)
        for (name in debugLoggers) {
            val logger = LoggerFactory.getLogger(name) as Logger
            levels[logger] = logger.level
            logger.level = Level.DEBUG
        }
    }

    fun stop() {
        levels.forEach { (logger, level) -> logger.level = level }
        root.detachAppender(appender)
        detached.forEach { root.addAppender(it) }
        appender.stop()
    }

    fun lines(): List<String> =
        synchronized(appender.list) { appender.list.toList() }.map { event ->
            event.formattedMessage + (event.throwableProxy?.let { " ${it.className}: ${it.message}" } ?: "")
        }
}
