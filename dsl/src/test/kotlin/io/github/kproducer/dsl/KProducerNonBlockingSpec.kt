package io.github.kproducer.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.newSingleThreadContext
import kotlinx.coroutines.supervisorScope
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.errors.TimeoutException
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

@OptIn(ExperimentalCoroutinesApi::class, kotlinx.coroutines.DelicateCoroutinesApi::class)
class KProducerNonBlockingSpec :
    FunSpec({
        test("a send waiting for metadata does not hold the caller's only thread, and then fails naming the servers") {
            // Nothing listens on port 1: the producer can never fetch metadata.
            kafkaProducer<String, String> {
                bootstrapServers = "127.0.0.1:1"
                maxBlock = 1500.milliseconds
            }.use { producer ->
                newSingleThreadContext("only-thread").use { single ->
                    withContext(single) {
                        var ticks = 0
                        val ticker =
                            launch {
                                while (isActive) {
                                    ticks++
                                    delay(10.milliseconds)
                                }
                            }
                        val error = shouldThrow<TimeoutException> { producer.send("events", "k", "v") }
                        ticker.cancel()
                        error.message shouldContain "127.0.0.1:1"
                        error.message shouldContain "events"
                        // 1.5 s of waiting leaves room for dozens of ticks on the same thread.
                        ticks shouldBeGreaterThan 20
                    }
                }
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
