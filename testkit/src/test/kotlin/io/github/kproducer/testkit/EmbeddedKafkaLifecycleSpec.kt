package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.annotation.Isolate
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.paths.shouldExist
import io.kotest.matchers.paths.shouldNotExist
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.nio.file.Files
import kotlin.time.Duration.Companion.milliseconds

// Runs alone: it counts the JVM's threads, which other specs' brokers would disturb.
@Isolate
class EmbeddedKafkaLifecycleSpec :
    FunSpec({
        fun nonDaemonThreads() =
            Thread
                .getAllStackTraces()
                .keys
                .filter { it.isAlive && !it.isDaemon }
                .map { it.name }
                .toSet()

        test("close stops every broker thread and deletes the data directory") {
            val parent = tempdir().toPath()
            val before = nonDaemonThreads()
            val kafka = EmbeddedKafka { parentDirectory = parent }
            kafka.dataDirectory.shouldExist()
            KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()).use {
                it.send(ProducerRecord("lifecycle", "v")).get()
            }

            kafka.close()
            kafka.close() // idempotent

            kafka.dataDirectory.shouldNotExist()
            Files.list(parent).use { it.toList() }.shouldBeEmpty()
            (nonDaemonThreads() - before).shouldBeEmpty()
        }

        test("a start that times out fails with an explanation, lets its starter threads end, and leaves no thread and no directory behind") {
            // Five times: where the timeout catches the start varies, and in a warm JVM a stop that raced with a start still
            // running left threads behind in a few starts out of fifteen.
            repeat(5) { round ->
                val parent = tempdir().toPath()
                val before = nonDaemonThreads()
                // Three nodes cannot start in 50 ms: the start times out while Kafka is still inside its startup.
                val error =
                    shouldThrow<EmbeddedKafkaStartupException> {
                        EmbeddedKafka {
                            brokers = 3
                            parentDirectory = parent
                            startupTimeout = 50.milliseconds
                        }
                    }
                withClue("round $round") {
                    error.message shouldContain "did not start within 50ms"
                    Files.list(parent).use { it.toList() }.shouldBeEmpty()
                    (nonDaemonThreads() - before).shouldBeEmpty()
                }
            }
        }

        test("a fixed port that is in use fails the start with a message naming the port and the fix") {
            ServerSocket().use { taken ->
                taken.bind(InetSocketAddress("127.0.0.1", 0))
                val port = taken.localPort
                val before = nonDaemonThreads()
                val error = shouldThrow<EmbeddedKafkaStartupException> { EmbeddedKafka { ports = listOf(port) } }
                error.message shouldContain "127.0.0.1:$port"
                error.message shouldContain "already in use"
                error.message shouldContain "leave `ports` empty"
                (nonDaemonThreads() - before).shouldBeEmpty()
            }
        }

        test("a fixed port is used as the broker's address") {
            val port = ServerSocket(0).use { it.localPort }
            EmbeddedKafka { ports = listOf(port) }.use { kafka ->
                kafka.bootstrapServers shouldBe "127.0.0.1:$port"
            }
        }
    })
