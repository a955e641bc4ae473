package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.SendResult
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.dsl.reliable
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/** `-Dkproducer.soak=true` runs the long version: ten times the records, and every broker stopped and restarted in turn. */
private val soak = System.getProperty("kproducer.soak") == "true"

/**
 * An idempotent producer keeps sending keyed records while brokers of a three-broker cluster
 * (replication factor 3, min ISR 2) stop and restart. Everything is read back: nothing lost, nothing
 * duplicated, each key's records in the order they were sent.
 *
 * Each outage is pinned to the stream by gates, so it is mid-stream however fast the machine is:
 * the sender asks for the stop and keeps sending while the broker shuts down, then sends a stretch
 * that is certain to run with the broker down, asks for the restart and keeps sending while the
 * broker comes back, and ends with a stretch after it has rejoined.
 */
class FailoverSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { brokers = 3 }
        val records = if (soak) 2_000_000 else 200_000
        val keys = 1_000
        val chunk = 1_000
        val brokersToCycle = if (soak) listOf(1, 2, 3) else listOf(2)

        test("$records keyed records survive ${brokersToCycle.size} broker stop(s) and restart(s): 0 lost, 0 duplicated, order per key kept")
            .config(timeout = if (soak) 30.minutes else 4.minutes) {
                kafka.createTopic("failover", partitions = 6, replicationFactor = 3, configs = mapOf("min.insync.replicas" to "2"))
                val chunks = records / chunk
                val segment = chunks / brokersToCycle.size

                // Per outage, chunk positions within its segment: ask for the stop, wait until stopped, ask for the restart, wait until back.
                class Outage(
                    val broker: Int,
                    val first: Int,
                ) {
                    val stopAt = first + segment * 2 / 10
                    val stoppedBy = first + segment * 4 / 10
                    val restartAt = first + segment * 6 / 10
                    val backBy = first + segment * 8 / 10
                    val stopRequested = CompletableDeferred<Unit>()
                    val stopped = CompletableDeferred<Unit>()
                    val restartRequested = CompletableDeferred<Unit>()
                    val back = CompletableDeferred<Unit>()
                    var sentWhileDown = 0
                }
                val outages = brokersToCycle.mapIndexed { i, broker -> Outage(broker, i * segment) }

                val failures = mutableListOf<SendResult<String, String>>()
                val started = TimeSource.Monotonic.markNow()
                kafkaProducer<String, String> {
                    bootstrapServers = kafka.bootstrapServers
                    clientId = "failover"
                    reliable()
                }.use { producer ->
                    coroutineScope {
                        launch(Dispatchers.IO) {
                            for (outage in outages) {
                                outage.stopRequested.await()
                                kafka.stopBroker(outage.broker)
                                outage.stopped.complete(Unit)
                                outage.restartRequested.await()
                                kafka.startBroker(outage.broker)
                                outage.back.complete(Unit)
                            }
                        }
                        var index = 0
                        for (c in 0 until chunks) {
                            for (outage in outages) {
                                when (c) {
                                    outage.stopAt -> outage.stopRequested.complete(Unit)
                                    outage.stoppedBy -> outage.stopped.await()
                                    outage.restartAt -> outage.restartRequested.complete(Unit)
                                    outage.backBy -> outage.back.await()
                                }
                                if (c in outage.stoppedBy until outage.restartAt) outage.sentWhileDown += chunk
                            }
                            val batch = List(chunk) { ProducerRecord("failover", "key-${index % keys}", (index++).toString()) }
                            producer.sendAllSettled(batch).forEach { if (!it.isSuccess) failures += it }
                        }
                    }
                }
                val sending = started.elapsedNow()
                failures.map { it.exception.toString() }.distinct().shouldBeEmpty()
                outages.forEach { it.sentWhileDown shouldBeGreaterThan 0 }

                val read = withContext(Dispatchers.IO) { kafka.readAllStrings("failover", timeout = 2.minutes) }
                val values = read.map { it.value()!!.toInt() }
                val distinct = values.toSet()
                val lost = records - distinct.size
                val duplicated = values.size - distinct.size
                val outOfOrder =
                    read.groupBy { it.key() }.count { (_, perKey) ->
                        val sequence = perKey.map { it.value()!!.toInt() }
                        sequence != sequence.sorted()
                    }
                println(
                    "[figures] failover: $records records, ${outages.size} broker stop/restart(s), " +
                        "${outages.sumOf { it.sentWhileDown }} sent with a broker down; lost=$lost duplicated=$duplicated " +
                        "keysOutOfOrder=$outOfOrder failures=${failures.size}; sending took ${sending.inWholeMilliseconds} ms",
                )
                lost shouldBe 0
                duplicated shouldBe 0
                outOfOrder shouldBe 0
                distinct shouldBe (0 until records).toSet()
                eventually(60.seconds) { brokersToCycle.forEach { kafka.isRunning(it) shouldBe true } }
            }
    })
