package io.github.kproducer.dsl

import io.github.kproducer.dsl.reliability.onOneThread
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
