package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.isRetriable
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.readStrings
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.errors.TimeoutException
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * Every broker of the cluster goes away while records are pending: each pending send must fail with
 * a clear error within delivery.timeout.ms (nothing hangs, nothing is silently dropped), and the same
 * producer must send again once the brokers are back.
 */
class BrokerOutageSpec :
    FunSpec({
        val deliveryTimeout = 6.seconds
        val pendingSends = 1_000
        val pendingOffers = 200
        val pendingFutures = 200

        test("with every broker gone, pending sends fail within deliveryTimeout, and the producer works when they return") {
            EmbeddedKafka().use { kafka ->
                kafka.createTopic("outage", partitions = 3)
                val offerFailures = ConcurrentLinkedQueue<Exception>()
                val offersDone = CountDownLatch(pendingOffers)
                kafkaProducer<String, String> {
                    bootstrapServers = kafka.bootstrapServers
                    clientId = "outage"
                    this.deliveryTimeout = deliveryTimeout
                    requestTimeout = 2.seconds
                    maxBlock = 3.seconds
                    onError { _, e ->
                        offerFailures += e
                        offersDone.countDown()
                    }
                }.use { producer ->
                    producer.send("outage", "k", "before")

                    withContext(Dispatchers.IO) { kafka.stopAllBrokers() }
                    val started = TimeSource.Monotonic.markNow()
                    val failures =
                        withTimeout(deliveryTimeout + 20.seconds) {
                            coroutineScope {
                                val sends =
                                    (1..pendingSends).map { i ->
                                        async {
                                            val error = runCatching { producer.send("outage", "k$i", "during") }.exceptionOrNull()
                                            error to started.elapsedNow()
                                        }
                                    }
                                val futures = (1..pendingFutures).map { i -> producer.sendAsync(ProducerRecord("outage", "f$i", "during")) }
                                repeat(pendingOffers) { i -> producer.offer(ProducerRecord("outage", "o$i", "during")) }
                                // flush returns (it does not hang) once every pending record has failed.
                                producer.flush()
                                val futureErrors = futures.map { f -> runCatching { f.await() }.exceptionOrNull() }
                                withContext(Dispatchers.IO) { offersDone.await(deliveryTimeout.inWholeSeconds + 20, TimeUnit.SECONDS) }
                                sends.awaitAll() to futureErrors
                            }
                        }
                    val (sendOutcomes, futureErrors) = failures
                    val slowest = sendOutcomes.maxOf { it.second }
                    println(
                        "[figures] outage: $pendingSends sends + $pendingFutures futures + $pendingOffers offers pending; " +
                            "all failed, slowest after ${slowest.inWholeMilliseconds} ms (deliveryTimeout ${deliveryTimeout.inWholeMilliseconds} ms)",
                    )

                    // Every pending record failed, with Kafka's retriable timeout explained; none succeeded, none got lost.
                    // A record Kafka had when the brokers went away expires after deliveryTimeout; one handed over after
                    // the client rebootstrapped (and so forgot the topic) waits at most maxBlock for metadata; one behind
                    // the first record of a partition the producer had not written to yet waits at most maxBlock for it.
                    val errors = sendOutcomes.map { it.first } + futureErrors + offerFailures
                    errors.size shouldBe pendingSends + pendingFutures + pendingOffers
                    var expired = 0
                    var behindFirst = 0
                    errors.forEach { error ->
                        error.shouldBeInstanceOf<TimeoutException>()
                        error.isRetriable shouldBe true
                        error.message shouldContain kafka.bootstrapServers
                        if (error.message!!.contains("No broker acknowledged the record within deliveryTimeout")) {
                            expired++
                        } else if (error.message!!.contains("did not acknowledge this producer's first record to it within maxBlock")) {
                            behindFirst++
                            error.message shouldContain "(3000 ms)"
                        } else {
                            error.message shouldContain "Topic outage not present in metadata after 3000 ms"
                            error.message shouldContain "The brokers may be unreachable"
                        }
                    }
                    println(
                        "[figures] outage: $expired records expired in Kafka's buffer, $behindFirst waited behind a partition's first " +
                            "record, ${errors.size - expired - behindFirst} found the topic forgotten",
                    )
                    slowest.inWholeMilliseconds shouldBeLessThan (deliveryTimeout + 3.seconds).inWholeMilliseconds

                    // A topic first used during the outage fails after maxBlock, naming the servers.
                    val unknown = runCatching { producer.send("outage-new-topic", "k", "v") }.exceptionOrNull()
                    unknown.shouldBeInstanceOf<TimeoutException>()
                    unknown.message shouldContain "not present in metadata"

                    withContext(Dispatchers.IO) { kafka.startAllBrokers() }
                    val back = TimeSource.Monotonic.markNow()
                    producer.send("outage", "k", "after")
                    println("[figures] outage: first send after the brokers returned took ${back.elapsedNow().inWholeMilliseconds} ms")
                    producer.metrics().inFlight shouldBe 0
                }
                val values = kafka.readStrings("outage", 2).map { it.value() }
                values shouldContain "before"
                values shouldContain "after"
                values.filter { it == "during" }.shouldBeEmpty()
            }
        }
    })
