package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/**
 * The thread form of context headers ([HeadersContext.open]) from Kotlin, and how it and the coroutine
 * form ([HeadersContext] in a coroutine context) keep apart: each send reads the one its kind reads.
 */
class HeadersScopeSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { defaultPartitions = 1 }

        fun ConsumerRecord<*, *>.header(name: String): List<String> = headers().headers(name).map { String(it.value()) }

        fun producer() =
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                copyContextHeaders = true
            }

        test("sendAsync, offer and sendAllAsync in a scope carry its headers, and stop when it is closed") {
            kafka.createTopic("kt-scope")
            producer().use { producer ->
                // No suspension inside the scope: it belongs to this thread, and a coroutine may resume on another.
                HeadersContext.open(mapOf("trace-id" to "t-1")).use {
                    producer.sendAsync("kt-scope", "k", "sendAsync").get(30, TimeUnit.SECONDS)
                    producer.offer("kt-scope", "k", "offer")
                    producer.sendAllAsync(listOf(ProducerRecord("kt-scope", "k", "sendAllAsync"))).get(30, TimeUnit.SECONDS)
                }
                producer.sendAsync("kt-scope", "k", "closed").get(30, TimeUnit.SECONDS)
            }
            val read = kafka.readStrings("kt-scope", 4)
            read.map { it.value() } shouldContainExactly listOf("sendAsync", "offer", "sendAllAsync", "closed")
            read.take(3).forEach { it.header("trace-id") shouldContainExactly listOf("t-1") }
            read[3].header("trace-id").shouldBeEmpty()
        }

        test("the coroutine form still works, and each form is read only by its own kind of send") {
            kafka.createTopic("kt-forms")
            producer().use { producer ->
                withContext(HeadersContext("trace-id" to "from-coroutine")) {
                    producer.send("kt-forms", "k", "suspending send")
                    producer.sendAll(listOf(ProducerRecord("kt-forms", "k", "suspending sendAll")))
                    // sendAsync does not read the coroutine: it reads the thread's scope, and there is none.
                    producer.sendAsync("kt-forms", "k", "sendAsync in the coroutine").get(30, TimeUnit.SECONDS)
                }
                val sent = HeadersContext.open(mapOf("trace-id" to "from-thread")).use { producer.sendAsync("kt-forms", "k", "sendAsync in the scope") }
                sent.get(30, TimeUnit.SECONDS)
            }
            val read = kafka.readStrings("kt-forms", 4).associateBy { it.value() }
            read.getValue("suspending send").header("trace-id") shouldContainExactly listOf("from-coroutine")
            read.getValue("suspending sendAll").header("trace-id") shouldContainExactly listOf("from-coroutine")
            read.getValue("sendAsync in the coroutine").header("trace-id").shouldBeEmpty()
            read.getValue("sendAsync in the scope").header("trace-id") shouldContainExactly listOf("from-thread")
        }

        test("a suspending send ignores the scope of the thread it runs on") {
            kafka.createTopic("kt-suspending")
            producer().use { producer ->
                HeadersContext.open(mapOf("trace-id" to "thread-only")).use {
                    // runBlocking keeps the send on this thread, where the scope is open.
                    runBlocking { producer.send("kt-suspending", "k", "suspending send") }
                }
            }
            kafka
                .readStrings("kt-suspending", 1)
                .single()
                .header("trace-id")
                .shouldBeEmpty()
        }

        test("a nested scope replaces the outer one and closing it brings the outer one back") {
            kafka.createTopic("kt-nested")
            producer().use { producer ->
                HeadersContext.open(mapOf("tenant" to "acme")).use {
                    HeadersContext.open(mapOf("trace-id" to "t-inner")).use {
                        producer.sendAsync("kt-nested", "k", "inner").get(30, TimeUnit.SECONDS)
                    }
                    producer.sendAsync("kt-nested", "k", "outer").get(30, TimeUnit.SECONDS)
                }
            }
            val (inner, outer) = kafka.readStrings("kt-nested", 2)
            inner.header("trace-id") shouldContainExactly listOf("t-inner")
            inner.header("tenant").shouldBeEmpty()
            outer.header("tenant") shouldContainExactly listOf("acme")
            outer.header("trace-id").shouldBeEmpty()
        }

        test("another thread cannot close a scope, which stays open; closing twice does nothing") {
            val opened = CompletableFuture<HeadersScope>()
            val release = CompletableFuture<Unit>()
            val owner =
                Thread({
                    val scope = HeadersContext.open(mapOf("trace-id" to "t-owner"))
                    opened.complete(scope)
                    release.get(30, TimeUnit.SECONDS)
                    scope.close()
                    scope.close()
                }, "scope-owner")
            owner.start()
            try {
                val scope = opened.get(30, TimeUnit.SECONDS)
                val refused = shouldThrow<IllegalStateException> { scope.close() }
                refused.message shouldContain "HeadersScope.close() was called on thread '${Thread.currentThread().name}'"
                refused.message shouldContain "belongs to thread 'scope-owner'"
                scope.toString() shouldBe "HeadersScope([trace-id])"
                release.complete(Unit)
                owner.join(30_000)
                scope.toString() shouldBe "HeadersScope([trace-id], closed)"
                scope.close() // closed: nothing to refuse, from any thread
            } finally {
                release.complete(Unit)
                owner.join(30_000)
            }
        }
    })
