package io.github.kproducer.dsl

import io.github.kproducer.dsl.reliability.onOneThread
import io.github.kproducer.dsl.reliability.parkedInKafkaWait
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.supervisorScope
import kotlinx.coroutines.withTimeout
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.errors.TimeoutException
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class KProducerNonBlockingSpec :
    FunSpec({
        test("a send waiting for metadata does not hold the caller's only thread, and then fails naming the servers") {
            // Nothing listens on port 1: the producer can never fetch metadata.
            kafkaProducer<String, String> {
                bootstrapServers = "127.0.0.1:1"
                maxBlock = 1500.milliseconds
            }.use { producer ->
                val watched = onOneThread(30.seconds) { shouldThrow<TimeoutException> { producer.send("events", "k", "v") } }
                watched.result.message shouldContain "127.0.0.1:1"
                watched.result.message shouldContain "events"
                watched.waitedInKafka shouldBe null
                // 1.5 s of waiting leaves room for dozens of ticks on the same thread.
                watched.ticks shouldBeGreaterThan 20
            }
        }

        test("the check can fail: a raw KafkaProducer's send on the same thread is seen parked in Kafka's wait for metadata") {
            val raw =
                org.apache.kafka.clients.producer.KafkaProducer(
                    mapOf<String, Any>("bootstrap.servers" to "127.0.0.1:1", "max.block.ms" to 800),
                    org.apache.kafka.common.serialization
                        .StringSerializer(),
                    org.apache.kafka.common.serialization
                        .StringSerializer(),
                )
            raw.use {
                val watched =
                    onOneThread(30.seconds) {
                        runCatching {
                            raw.send(
                                org.apache.kafka.clients.producer
                                    .ProducerRecord("events", "k", "v"),
                            )
                        }
                    }
                watched.waitedInKafka shouldContain "waitOnMetadata"
            }
        }

        test("what counts as a wait in Kafka: a parked wait for memory does; a lock taken on the way, or a stack that ran on, does not") {
            fun frames(vararg at: Pair<String, String>) = at.map { (type, method) -> StackTraceElement(type, method, null, 1) }.toTypedArray()
            val pool = "org.apache.kafka.clients.producer.internals.BufferPool"
            val send = "org.apache.kafka.clients.producer.KafkaProducer" to "send"
            val waitsForMemory =
                frames(
                    "jdk.internal.misc.Unsafe" to "park",
                    "java.util.concurrent.locks.LockSupport" to "parkNanos",
                    "java.util.concurrent.locks.AbstractQueuedSynchronizer\$ConditionObject" to "awaitNanos",
                    pool to "allocate",
                    send,
                )
            val takesTheLock =
                frames(
                    "jdk.internal.misc.Unsafe" to "park",
                    "java.util.concurrent.locks.LockSupport" to "park",
                    "java.util.concurrent.locks.AbstractQueuedSynchronizer" to "acquire",
                    "java.util.concurrent.locks.ReentrantLock" to "lock",
                    pool to "signalNextWaiterIfMemoryAvailable",
                    pool to "allocate",
                    send,
                )
            val ranOn = frames(pool to "signalNextWaiterIfMemoryAvailable", pool to "allocate", send)
            parkedInKafkaWait(waitsForMemory) shouldBe true
            parkedInKafkaWait(takesTheLock) shouldBe false
            parkedInKafkaWait(ranOn) shouldBe false
        }

        test("close does not hang while a send waits for metadata; the waiting send fails") {
            val producer =
                kafkaProducer<String, String> {
                    bootstrapServers = "127.0.0.1:1"
                    maxBlock = 30.seconds
                }
            val error =
                shouldThrow<KafkaException> {
                    withTimeout(10.seconds) {
                        supervisorScope {
                            val sending = async { producer.send("events", "k", "v") }
                            delay(300)
                            producer.close(1.seconds)
                            sending.await()
                        }
                    }
                }
            error.message shouldContain "close"
        }
    })
