package io.github.kproducer.dsl

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import io.github.kproducer.testkit.readAllStrings
import io.github.kproducer.testkit.readStrings
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.ProducerFencedException
import java.util.Collections
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration.Companion.seconds

class TransactionSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        fun transactional(id: String) =
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                transactionalId = id
            }

        fun committed(topic: String) = kafka.readAllStrings(topic, IsolationLevel.READ_COMMITTED)

        test("a read_committed consumer sees every record of a committed transaction and none of an aborted one") {
            kafka.createTopic("tx-orders", partitions = 2)
            kafka.createTopic("tx-audit")
            transactional("tx-visibility").use { producer ->
                producer.transaction {
                    send("tx-orders", "order-1", "paid")
                    send("tx-audit", "order-1", "payment recorded")
                    offer(
                        org.apache.kafka.clients.producer
                            .ProducerRecord("tx-orders", "order-2", "paid"),
                    )
                }
                val failure =
                    shouldThrow<IllegalStateException> {
                        producer.transaction {
                            send("tx-orders", "order-3", "paid")
                            send("tx-audit", "order-3", "payment recorded")
                            error("the payment service rejected order-3")
                        }
                    }
                failure.message shouldBe "the payment service rejected order-3"
            }
            committed("tx-orders").map { it.key()!! }.sorted() shouldBe listOf("order-1", "order-2")
            committed("tx-audit").map { it.value() } shouldBe listOf("payment recorded")
            // The aborted records were written, and only read_uncommitted consumers see them.
            kafka.readStrings("tx-audit", 2).map { it.key() } shouldBe listOf("order-1", "order-3")
        }

        test("code that takes a RecordSender sends through a producer or inside a transaction alike") {
            kafka.createTopic("tx-sender")

            suspend fun recordPayment(
                sender: RecordSender<String, String>,
                order: String,
            ) {
                sender.send("tx-sender", order, "paid")
                sender.send("tx-sender") {
                    key = order
                    value = "receipt"
                }
            }
            transactional("tx-sender").use { producer ->
                producer.transaction { recordPayment(this, "in-transaction") }
            }
            kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { producer ->
                recordPayment(producer, "plain")
            }
            committed("tx-sender").map { "${it.key()}=${it.value()}" } shouldBe
                listOf("in-transaction=paid", "in-transaction=receipt", "plain=paid", "plain=receipt")
        }

        test("consumer offsets sent in a transaction are committed to the group with it") {
            kafka.createTopic("tx-out")
            transactional("tx-offsets").use { producer ->
                producer.transaction {
                    send("tx-out", "k", "v")
                    sendOffsets(mapOf(TopicPartition("tx-in", 0) to OffsetAndMetadata(42)), ConsumerGroupMetadata("tx-group"))
                }
            }
            kafka.admin().use { admin ->
                admin
                    .listConsumerGroupOffsets("tx-group")
                    .partitionsToOffsetAndMetadata()
                    .get()[TopicPartition("tx-in", 0)]!!
                    .offset() shouldBe 42
            }
        }

        test("cancelling a transaction aborts it, and the producer goes on with the next one") {
            kafka.createTopic("tx-cancel")
            transactional("tx-cancel").use { producer ->
                coroutineScope {
                    val sent = CompletableDeferred<Unit>()
                    val job =
                        launch {
                            producer.transaction {
                                send("tx-cancel", "k", "cancelled")
                                sent.complete(Unit)
                                awaitCancellation()
                            }
                        }
                    sent.await()
                    job.cancel()
                    job.join()
                }
                producer.transaction { send("tx-cancel", "k", "after") }
            }
            committed("tx-cancel").map { it.value() } shouldBe listOf("after")
        }

        test("transactions of one producer run one at a time, in call order, never interleaved") {
            kafka.createTopic("tx-queue")
            val events = Collections.synchronizedList(mutableListOf<String>())
            transactional("tx-queue").use { producer ->
                coroutineScope {
                    val first =
                        async {
                            producer.transaction {
                                events += "first begins"
                                send("tx-queue", "k", "1")
                                delay(300)
                                events += "first ends"
                            }
                        }
                    delay(50)
                    val second =
                        async {
                            producer.transaction {
                                events += "second begins"
                                send("tx-queue", "k", "2")
                                events += "second ends"
                            }
                        }
                    first.await()
                    second.await()
                }
            }
            events shouldBe listOf("first begins", "first ends", "second begins", "second ends")
        }

        test("nested transactions and sends outside a transaction are refused with the fix") {
            transactional("tx-rules").use { producer ->
                shouldThrow<IllegalStateException> { producer.send("t", "k", "v") }.message shouldContain "send inside producer.transaction"
                shouldThrow<IllegalStateException> { producer.offer("t", "k", "v") }
                producer.transaction {
                    val nested = shouldThrow<IllegalStateException> { producer.transaction { } }
                    nested.message shouldContain "cannot be nested"
                    // The Java forms, called from a Kotlin block, say so in their own words instead of waiting forever.
                    shouldThrow<IllegalStateException> { producer.transactionAsync { CompletableFuture.completedFuture(1) } }
                        .message shouldContain "transactionAsync cannot be nested"
                    shouldThrow<IllegalStateException> { producer.inTransaction { 1 } }.message shouldContain "inTransaction cannot be nested"
                    // Also after the block suspended and resumed on another thread.
                    withContext(Dispatchers.IO) { delay(1) }
                    shouldThrow<IllegalStateException> { producer.inTransaction { 1 } }.message shouldContain "inTransaction cannot be nested"
                }
                // Outside the block, the thread is free again.
                producer.inTransaction { 1 } shouldBe 1
            }
        }

        test("a producer fenced by a newer instance with the same transactional id is closed and says why") {
            kafka.createTopic("tx-fence")
            val zombie = transactional("tx-fence-id")
            zombie.transaction { send("tx-fence", "k", "zombie-1") }
            transactional("tx-fence-id").use { successor -> successor.transaction { send("tx-fence", "k", "successor") } }

            shouldThrow<ProducerFencedException> { zombie.transaction { send("tx-fence", "k", "zombie-2") } }
            zombie.isClosed shouldBe true
            val after = shouldThrow<IllegalStateException> { zombie.transaction { } }
            after.message shouldContain "closed after a fatal error"
            after.message shouldContain "ProducerFencedException"
            committed("tx-fence").map { it.value() } shouldBe listOf("zombie-1", "successor")
        }

        test("with the test kit's mock: committed and aborted records, a failed record aborts the transaction") {
            val mock =
                MockKafkaProducer<String, String> {
                    transactionalId = "mock-tx"
                    completion = Completion.MANUAL
                }
            val producer = mock.asKProducer()
            producer.transaction {
                offer(
                    org.apache.kafka.clients.producer
                        .ProducerRecord("t", "k", "kept"),
                )
            }
            mock.failNextSends(
                1,
                org.apache.kafka.common.errors
                    .NotEnoughReplicasException("x"),
            )
            shouldThrow<org.apache.kafka.common.KafkaException> {
                producer.transaction {
                    offer(
                        org.apache.kafka.clients.producer
                            .ProducerRecord("t", "k", "lost"),
                    )
                }
            }
            mock.committed().map { it.value() } shouldBe listOf("kept")
            mock.aborted().map { it.value() } shouldBe listOf("lost")
            producer.close()
        }
    })
