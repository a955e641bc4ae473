package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.github.kproducer.testkit.shouldHaveNoDuplicates
import io.github.kproducer.testkit.shouldKeepEachKeyInOnePartition
import io.github.kproducer.testkit.shouldPreserveOrderPerKey
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.StringDeserializer
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

class ExactlyOnceSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())
        val inputs = (0 until 600).map { ProducerRecord("eos-in-$it", "k-${it % 20}", "$it") }

        fun fill(topic: String) {
            kafka.createTopic(topic, partitions = 3)
            kafka.createTopic("$topic-out", partitions = 3)
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { producer ->
                kotlinx.coroutines.runBlocking { producer.sendAll(inputs.map { ProducerRecord(topic, it.key(), it.value()) }) }
            }
        }

        fun consumer(
            topic: String,
            group: String,
        ) = KafkaConsumer(
            kafka.connectionProperties() +
                mapOf(
                    ConsumerConfig.GROUP_ID_CONFIG to group,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG to "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG to "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG to false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG to 50,
                ),
            StringDeserializer(),
            StringDeserializer(),
        ).also { it.subscribe(listOf(topic)) }

        fun processor(id: String) =
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                transactionalId = id
            }

        fun transformed(
            record: org.apache.kafka.clients.consumer.ConsumerRecord<String, String>,
            out: String,
        ) = listOf(ProducerRecord(out, record.key(), "processed-${record.value()}"))

        fun verifyExactlyOnce(out: String) {
            val output = kafka.readAllStrings(out, IsolationLevel.READ_COMMITTED)
            output.map { it.value() }.toSet() shouldBe inputs.map { "processed-${it.value()}" }.toSet()
            output.size shouldBe inputs.size
            output.shouldHaveNoDuplicates().shouldKeepEachKeyInOnePartition()
            output.shouldPreserveOrderPerKey(inputs.map { ProducerRecord(out, it.key(), "processed-${it.value()}") })
        }

        test("a processor killed in the middle of a transaction and restarted leaves no duplicates and no gaps") {
            fill("eos-kill")
            val processed = AtomicInteger()
            val stuck = CompletableDeferred<Unit>()
            // The first instance hangs (as a killed process would) in the middle of its sixth transaction
            // (polls bring 50 records), after handing over 24 of its outputs; it is never closed, only abandoned.
            val zombieScope = CoroutineScope(Dispatchers.Default + SupervisorJob())
            val zombieConsumer = consumer("eos-kill", "eos-kill-group")
            val zombie = processor("eos-kill-processor")
            zombieScope.launch {
                zombie.consumeTransformProduce(zombieConsumer) { record ->
                    if (processed.incrementAndGet() > 274) {
                        stuck.complete(Unit)
                        awaitCancellation()
                    }
                    transformed(record, "eos-kill-out")
                }
            }
            withTimeout(60.seconds) { stuck.await() }
            zombieConsumer.close() // a killed process leaves the group; its producer stays behind with the transaction open

            // The restarted instance has the same transactional id: it fences the zombie and aborts its open transaction.
            val restartedConsumer = consumer("eos-kill", "eos-kill-group")
            processor("eos-kill-processor").use { restarted ->
                val job = launch(Dispatchers.Default) { restarted.consumeTransformProduce(restartedConsumer) { transformed(it, "eos-kill-out") } }
                eventually(90.seconds) { kafka.readAllStrings("eos-kill-out", IsolationLevel.READ_COMMITTED).size shouldBe inputs.size }
                job.cancel()
                job.join()
            }
            restartedConsumer.close()
            zombieScope.cancel()
            verifyExactlyOnce("eos-kill-out")
            // The zombie's outputs were written, then aborted: only read_uncommitted consumers see them.
            kafka.readAllStrings("eos-kill-out").size shouldBe inputs.size + 24
        }

        test("a transform that throws aborts the poll's transaction and rewinds the consumer; a restart finishes the work") {
            fill("eos-throw")
            val source = consumer("eos-throw", "eos-throw-group")
            val seen = AtomicInteger()
            processor("eos-throw-processor").use { first ->
                shouldThrow<IllegalStateException> {
                    first.consumeTransformProduce(source) { record ->
                        check(seen.incrementAndGet() <= 330) { "poison record" }
                        transformed(record, "eos-throw-out")
                    }
                }
            }
            processor("eos-throw-processor").use { second ->
                val job = launch(Dispatchers.Default) { second.consumeTransformProduce(source) { transformed(it, "eos-throw-out") } }
                eventually(60.seconds) { kafka.readAllStrings("eos-throw-out", IsolationLevel.READ_COMMITTED).size shouldBe inputs.size }
                job.cancel()
                job.join()
            }
            source.close()
            verifyExactlyOnce("eos-throw-out")
        }
    })
