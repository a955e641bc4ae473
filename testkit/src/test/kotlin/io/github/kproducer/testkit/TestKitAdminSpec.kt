package io.github.kproducer.testkit

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.admin.ListTopicsOptions
import org.apache.kafka.common.errors.TimeoutException
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

class TestKitAdminSpec :
    FunSpec({
        test("closing the test kit's admin client ends while a call of its can never finish, and the call fails with a timeout") {
            EmbeddedKafka().use { kafka ->
                val admin = kafka.admin()
                kafka.stopAllBrokers()
                // No broker answers and the call itself never times out: Kafka's own close() would wait for it forever.
                val pending = admin.listTopics(ListTopicsOptions().timeoutMs(Int.MAX_VALUE)).names()
                val closer = Thread { admin.close() }.apply { start() }
                closer.join(60_000)
                withClue("admin.close() still waiting after 60 s: ${closer.stackTrace.take(8).joinToString(" <- ")}") {
                    closer.isAlive shouldBe false
                }
                val failure = runCatching { pending.get(5, TimeUnit.SECONDS) }.exceptionOrNull()
                failure.shouldBeInstanceOf<ExecutionException>()
                failure.cause.shouldBeInstanceOf<TimeoutException>()
            }
        }
    })
