package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.internal.send.SendWatchdog
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.common.errors.InterruptException
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.nanoseconds

/**
 * The watchdog that lets no caller's thread wait inside Kafka: it recognises Kafka's own waits, and
 * only those; it interrupts a guarded call in one of them, and the interrupt never outlives the call.
 * Against a real client whose bootstrap server never answers, so that every metadata wait is real.
 */
class SendWatchdogSpec :
    FunSpec({
        fun client(maxBlockMs: Int) =
            KafkaProducer(
                mapOf<String, Any>("bootstrap.servers" to "127.0.0.1:1", "max.block.ms" to maxBlockMs),
                StringSerializer(),
                StringSerializer(),
            )

        /** Runs [body] on a new thread and returns it with the future of [body]'s outcome. */
        fun <T> onThread(body: () -> T): Pair<Thread, CompletableFuture<T>> {
            val result = CompletableFuture<T>()
            val thread = Thread { runCatching(body).fold(result::complete, result::completeExceptionally) }
            thread.isDaemon = true
            thread.start()
            return thread to result
        }

        test("a thread waiting for metadata inside Kafka is recognised; a thread sleeping in user code is not") {
            client(3_000).use { kafka ->
                val (waiting, done) = onThread { runCatching { kafka.partitionsFor("absent") } }
                val (sleeping, slept) = onThread { Thread.sleep(1_000) }
                Thread.sleep(300)
                SendWatchdog.kafkaWait(waiting) shouldBe SendWatchdog.KafkaWait.METADATA
                SendWatchdog.kafkaWait(sleeping).shouldBeNull()
                SendWatchdog.kafkaWait(Thread.currentThread()).shouldBeNull()
                waiting.interrupt()
                done.get(5, TimeUnit.SECONDS)
                slept.get(5, TimeUnit.SECONDS)
            }
        }

        test("a lane call waiting in Kafka past its deadline is interrupted there, and the interrupt flag does not outlive the call") {
            SendWatchdog.retain()
            try {
                client(10_000).use { kafka ->
                    val (_, outcome) =
                        onThread {
                            val guard = SendWatchdog.guard()
                            val started = System.nanoTime()
                            val token = guard.enter(SendWatchdog.LANE, started + TimeUnit.MILLISECONDS.toNanos(200))
                            val failure = runCatching { kafka.partitionsFor("absent") }.exceptionOrNull()
                            val interrupted = guard.exit(token)
                            listOf(failure, interrupted, (System.nanoTime() - started).nanoseconds, guard.interruptedIn, Thread.currentThread().isInterrupted)
                        }
                    val (failure, interrupted, took, waitedIn, flagAfter) = outcome.get(10, TimeUnit.SECONDS)
                    failure.shouldBeInstanceOf<InterruptException>()
                    interrupted shouldBe true
                    waitedIn shouldBe SendWatchdog.KafkaWait.METADATA
                    flagAfter shouldBe false
                    // 200 ms deadline, ticks of 10 ms: far from the client's own 10 s.
                    (took as kotlin.time.Duration) shouldBeLessThan 1_000.milliseconds
                }
            } finally {
                SendWatchdog.release()
            }
        }

        test("a guarded call that is slow in user code is never interrupted") {
            SendWatchdog.retain()
            try {
                val (_, outcome) =
                    onThread {
                        val guard = SendWatchdog.guard()
                        val token = guard.enter(SendWatchdog.DIRECT)
                        // A serializer that calls a slow schema registry, say: running, not waiting in Kafka.
                        val slept = runCatching { Thread.sleep(200) }.isSuccess
                        slept to guard.exit(token)
                    }
                outcome.get(5, TimeUnit.SECONDS) shouldBe (true to false)
            } finally {
                SendWatchdog.release()
            }
        }
    })
