package io.github.kproducer.testkit

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.Partitioner
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.Cluster
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.ProducerFencedException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.errors.TransactionAbortedException
import org.apache.kafka.common.serialization.Serializer
import org.apache.kafka.common.serialization.StringSerializer
import org.apache.kafka.common.utils.Utils
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.ExecutionException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds

class MockKafkaProducerSpec :
    FunSpec({
        /** A callback that remembers what it got and on which thread. */
        class Recording : Callback {
            val calls = CopyOnWriteArrayList<Triple<RecordMetadata?, Exception?, String>>()

            override fun onCompletion(
                metadata: RecordMetadata?,
                exception: Exception?,
            ) {
                calls += Triple(metadata, exception, Thread.currentThread().name)
            }
        }

        test("keyed records go to the partition Kafka's default partitioner computes, explicit partitions are kept or fail as Kafka's do") {
            MockKafkaProducer<String, String> { topic("orders", partitions = 6) }.use { producer ->
                val keys = (1..40).map { "customer-$it" }
                keys.forEach { producer.send(ProducerRecord("orders", it, "v")).get() }
                producer.send(ProducerRecord("orders", 4, "explicit", "v")).get().partition() shouldBe 4

                producer.history().dropLast(1).forEach { record ->
                    record.partition() shouldBe Utils.toPositive(Utils.murmur2(record.key().toByteArray())) % 6
                }
                producer
                    .history()
                    .map { it.partition() }
                    .toSet()
                    .size shouldBe 6
                // Kafka waits max.block.ms for partition 6 to appear in the metadata, then fails the send (not throws);
                // the mock's metadata never changes, so it fails at once: before send returns, on this thread.
                val callback = Recording()
                val future = producer.send(ProducerRecord("orders", 6, "k", "v"), callback)
                val (metadata, exception, thread) = callback.calls.single()
                exception.shouldBeInstanceOf<TimeoutException>().message shouldBe
                    "Partition 6 of topic orders with partition count 6 is not present in metadata after 0 ms."
                thread shouldBe Thread.currentThread().name
                metadata!!.partition() shouldBe 6
                metadata.offset() shouldBe -1L
                shouldThrow<ExecutionException> { future.get() }.cause shouldBeSameInstanceAs exception
                producer.failed().map { it.partition() } shouldBe listOf(6)
            }
        }

        test("a custom partitioner decides, seeing the declared topics as the cluster") {
            val seen = ConcurrentLinkedQueue<Int>()
            val lastPartition =
                object : Partitioner {
                    override fun partition(
                        topic: String,
                        key: Any?,
                        keyBytes: ByteArray?,
                        value: Any?,
                        valueBytes: ByteArray?,
                        cluster: Cluster,
                    ): Int {
                        val count = cluster.partitionCountForTopic(topic)
                        seen += count
                        return count - 1
                    }

                    override fun close() = Unit

                    override fun configure(configs: MutableMap<String, *>) = Unit
                }
            MockKafkaProducer<String, String> {
                topic("users", partitions = 4)
                partitioner = lastPartition
            }.use { producer ->
                producer.send(ProducerRecord("users", "u1", "v")).get().partition() shouldBe 3
                seen.toList() shouldBe listOf(4)
            }
        }

        test("keyless records stick to one partition for a batch, then move to another") {
            MockKafkaProducer<String, String> {
                topic("clicks", partitions = 3)
                keylessBatchRecords = 10
            }.use { producer ->
                repeat(30) { producer.send(ProducerRecord("clicks", "click-$it")) }
                producer.flush()
                val partitions = producer.history().map { it.partition() }
                partitions.chunked(10).forEach { batch -> batch.toSet() shouldHaveSize 1 }
                partitions[9] shouldBe partitions[0]
                (partitions[10] == partitions[9]) shouldBe false
            }
        }

        test("serializers run: sizes reach the metadata, and a throwing serializer makes send throw as the client does") {
            val failing = Serializer<String> { _, _ -> throw IllegalArgumentException("no encoding") }
            MockKafkaProducer(StringSerializer(), failing).use { producer ->
                shouldThrow<IllegalArgumentException> { producer.send(ProducerRecord("t", "k", "v")) }.message shouldBe "no encoding"
                producer.history() shouldHaveSize 0
            }
            @Suppress("UNCHECKED_CAST")
            val wrongType = MockKafkaProducer(StringSerializer(), StringSerializer()) as MockKafkaProducer<Any, Any>
            shouldThrow<SerializationException> { wrongType.send(ProducerRecord("t", "k", 42)) }.message shouldContain "Can't convert value"
            MockKafkaProducer<String, String>().use { producer ->
                val metadata = producer.send(ProducerRecord("t", "key", "value!")).get()
                metadata.serializedKeySize() shouldBe 3
                metadata.serializedValueSize() shouldBe 6
            }
        }

        test("errors found inside send call back before send returns: unknown topic, record too large") {
            MockKafkaProducer<String, String> {
                autoCreateTopics = false
                topic("known")
                maxRequestSize = 200
            }.use { producer ->
                val unknown = Recording()
                val future = producer.send(ProducerRecord("unknown", "k", "v"), unknown)
                unknown.calls
                    .single()
                    .second
                    .shouldBeInstanceOf<TimeoutException>()
                    .message shouldBe "Topic unknown not present in metadata after 0 ms."
                unknown.calls
                    .single()
                    .first!!
                    .offset() shouldBe -1L
                shouldThrow<ExecutionException> { future.get() }.cause.shouldBeInstanceOf<TimeoutException>()

                val large = Recording()
                producer.send(ProducerRecord("known", "k", "x".repeat(500)), large)
                large.calls
                    .single()
                    .second
                    .shouldBeInstanceOf<RecordTooLargeException>()
                    .message shouldContain "max.request.size"
                producer.failed() shouldHaveSize 2
            }
        }

        test("callbacks run on a separate callback thread, before the future completes with the same result, offsets counting per partition") {
            MockKafkaProducer<String, String> { topic("t", partitions = 2) }.use { producer ->
                val callback = Recording()
                val futures = (0 until 6).map { producer.send(ProducerRecord("t", it % 2, "k", "v$it"), callback) }
                producer.flush()
                callback.calls shouldHaveSize 6
                callback.calls.forEach { (_, exception, thread) ->
                    exception shouldBe null
                    thread shouldStartWith "kafka-producer-network-thread | mock-producer-"
                }
                callback.calls.map { it.first!!.offset() } shouldBe listOf(0L, 0L, 1L, 1L, 2L, 2L)
                futures.map { it.get() } shouldBe callback.calls.map { it.first }
            }
            // As in Kafka's ProducerBatch: the callback runs first, the future completes after it.
            MockKafkaProducer<String, String> { completion = Completion.MANUAL }.use { producer ->
                val futures = CopyOnWriteArrayList<java.util.concurrent.Future<RecordMetadata>>()
                val doneInCallback = CopyOnWriteArrayList<Boolean>()
                repeat(2) { i -> futures += producer.send(ProducerRecord("t", "k", "v$i")) { _, _ -> doneInCallback += futures[i].isDone } }
                producer.completeNext()
                producer.failNext(NotEnoughReplicasException("x"))
                doneInCallback shouldBe listOf(false, false)
                futures.map { it.isDone } shouldBe listOf(true, true)
            }
        }

        test("headers become read-only once the record is sent, as in the real client") {
            MockKafkaProducer<String, String>().use { producer ->
                val record = ProducerRecord("t", "k", "v")
                producer.send(record)
                shouldThrow<IllegalStateException> { record.headers().add("late", byteArrayOf()) }
            }
        }

        test("manual completion keeps records pending until the test completes or fails them") {
            MockKafkaProducer<String, String> { completion = Completion.MANUAL }.use { producer ->
                val callback = Recording()
                repeat(3) { producer.send(ProducerRecord("t", "k", "v$it"), callback) }
                producer.pending().map { it.value() } shouldBe listOf("v0", "v1", "v2")
                callback.calls shouldHaveSize 0

                producer.completeNext() shouldBe true
                callback.calls
                    .single()
                    .first!!
                    .offset() shouldBe 0L
                val failure = NotEnoughReplicasException("only 1 in sync")
                producer.failNext(failure) shouldBe true
                callback.calls[1].second shouldBeSameInstanceAs failure
                callback.calls[1].first!!.offset() shouldBe -1L
                producer.completeAll() shouldBe 1
                producer.completeNext() shouldBe false
                producer.acknowledged().map { it.value() } shouldBe listOf("v0", "v2")
                producer.failed().map { it.value() } shouldBe listOf("v1")
            }
        }

        test("failure scripts: the next N, by predicate, on the k-th attempt") {
            MockKafkaProducer<String, String>().use { producer ->
                val timeout = TimeoutException("expired")
                producer.failNextSends(2, timeout)
                producer.failWhen(NotEnoughReplicasException("poison")) { it.key() == "poison" }
                producer.failOnAttempt(5, RecordTooLargeException("attempt 5"))
                val results = listOf("a", "b", "c", "poison", "e", "f").map { key -> runCatching { producer.send(ProducerRecord("t", key, "v")).get() } }
                results.map {
                    it
                        .exceptionOrNull()
                        ?.cause
                        ?.javaClass
                        ?.simpleName
                } shouldBe
                    listOf("TimeoutException", "TimeoutException", null, "NotEnoughReplicasException", "RecordTooLargeException", null)
                producer.clearFailures()
                // Only "c" and "f" were stored, at offsets 0 and 1.
                producer.send(ProducerRecord("t", "poison", "v")).get().offset() shouldBe 2L
            }
        }

        test("50 coroutines sending 1,000 records each: every record completes once, offsets are unique and gapless") {
            MockKafkaProducer<String, String> { topic("load", partitions = 8) }.use { producer ->
                val completions = AtomicInteger()
                val perKeyValues = ConcurrentHashMap<String, MutableList<Int>>()
                withContext(Dispatchers.Default) {
                    coroutineScope {
                        repeat(50) { sender ->
                            launch {
                                repeat(1000) { i ->
                                    producer.send(ProducerRecord("load", "sender-$sender", "$i")) { _, e -> if (e == null) completions.incrementAndGet() }
                                }
                            }
                        }
                    }
                }
                producer.flush()
                completions.get() shouldBe 50_000
                producer.acknowledged() shouldHaveSize 50_000
                producer.history().forEach { perKeyValues.getOrPut(it.key()) { mutableListOf() } += it.value().toInt() }
                perKeyValues.values.forEach { it shouldBe (0 until 1000).toList() }
                producer.shouldKeepEachKeyInOnePartition()
            }
        }

        test("transactions: committed records and offsets, aborted records, a failed record forbids the commit") {
            MockKafkaProducer<String, String> {
                transactionalId = "tx-1"
                completion = Completion.MANUAL
            }.use { producer ->
                shouldThrow<IllegalStateException> { producer.send(ProducerRecord("t", "k", "v")) }.message shouldContain "initTransactions"
                // Empty offsets are ignored before any state check, as KafkaProducer does.
                producer.sendOffsetsToTransaction(emptyMap(), ConsumerGroupMetadata("group-before-init"))
                producer.initTransactions()
                producer.sendOffsetsToTransaction(emptyMap(), ConsumerGroupMetadata("group-outside"))
                // As Kafka's TransactionManager: initialization happens once.
                shouldThrow<IllegalStateException> { producer.initTransactions() }.message shouldBe
                    "TransactionalId tx-1: Invalid transition attempted from state READY to state INITIALIZING"
                producer.beginTransaction()
                producer.isInTransaction shouldBe true
                shouldThrow<IllegalStateException> { producer.initTransactions() }.message shouldBe
                    "TransactionalId tx-1: Invalid transition attempted from state IN_TRANSACTION to state INITIALIZING"
                producer.isInTransaction shouldBe true
                producer.send(ProducerRecord("t", "k", "committed"))
                val offsets = mapOf(TopicPartition("in", 0) to OffsetAndMetadata(42))
                producer.sendOffsetsToTransaction(offsets, ConsumerGroupMetadata("group-1"))
                producer.sendOffsetsToTransaction(emptyMap(), ConsumerGroupMetadata("group-empty"))
                producer.commitTransaction() // completes the pending record first
                producer.committed().map { it.value() } shouldBe listOf("committed")
                // The empty offsets left no trace: no group "group-empty" (nor the ones sent outside a transaction).
                producer.committedOffsets() shouldBe mapOf("group-1" to offsets)

                producer.beginTransaction()
                val callback = Recording()
                producer.send(ProducerRecord("t", "k", "aborted"), callback)
                producer.abortTransaction()
                callback.calls
                    .single()
                    .second
                    .shouldBeInstanceOf<TransactionAbortedException>()
                producer.aborted().map { it.value() } shouldBe listOf("aborted")

                producer.beginTransaction()
                producer.failNextSends(1, NotEnoughReplicasException("x"))
                producer.send(ProducerRecord("t", "k", "doomed"))
                shouldThrow<KafkaException> { producer.commitTransaction() }.message shouldContain "abortTransaction"
                producer.abortTransaction()
                shouldThrow<IllegalStateException> { producer.send(ProducerRecord("t", "k", "outside")) }.message shouldContain "beginTransaction"
            }
        }

        test("a fenced producer fails every transactional call with ProducerFencedException, and its sends through the callback and future") {
            MockKafkaProducer<String, String> { transactionalId = "tx-zombie" }.use { producer ->
                // Only a producer that has its producer id can be fenced: the simulation says so.
                shouldThrow<IllegalStateException> { producer.fence() }.message shouldContain "call initTransactions() before fence()"
                producer.initTransactions()
                producer.fence()
                shouldThrow<ProducerFencedException> { producer.beginTransaction() }
                shouldThrow<ProducerFencedException> {
                    producer.sendOffsetsToTransaction(mapOf(TopicPartition("in", 0) to OffsetAndMetadata(1)), ConsumerGroupMetadata("g"))
                }
                // Empty offsets are ignored before the fencing is checked, as KafkaProducer does.
                producer.sendOffsetsToTransaction(emptyMap(), ConsumerGroupMetadata("g"))
                producer.committedOffsets() shouldBe emptyMap()
                shouldThrow<ProducerFencedException> { producer.commitTransaction() }
                shouldThrow<ProducerFencedException> { producer.abortTransaction() }
                shouldThrow<ProducerFencedException> { producer.initTransactions() }

                // As KafkaProducer.doSend with the ApiException from TransactionManager.maybeAddPartition: send does
                // not throw; the callback gets the exception on this thread before send returns, and so does the future.
                val callback = Recording()
                val future = producer.send(ProducerRecord("t", "k", "zombie"), callback)
                val (metadata, exception, thread) = callback.calls.single()
                exception.shouldBeInstanceOf<ProducerFencedException>().message shouldBe
                    "Producer with transactionalId 'tx-zombie' has been fenced by another producer with the same transactionalId"
                thread shouldBe Thread.currentThread().name
                metadata!!.offset() shouldBe -1L
                future.isDone shouldBe true
                shouldThrow<ExecutionException> { future.get() }.cause shouldBeSameInstanceAs exception
                producer.history().map { it.value() } shouldBe listOf("zombie")
                producer.failed().map { it.value() } shouldBe listOf("zombie")
                producer.pending() shouldHaveSize 0
            }
            val plain = MockKafkaProducer<String, String>()
            shouldThrow<IllegalStateException> { plain.initTransactions() }.message shouldContain "non-transactional"
        }

        test("flush waits for callbacks, completes pending records in manual mode, and is refused inside a callback") {
            MockKafkaProducer<String, String> { completion = Completion.MANUAL }.use { producer ->
                val callback = Recording()
                repeat(5) { producer.send(ProducerRecord("t", "k", "$it"), callback) }
                producer.flush()
                callback.calls shouldHaveSize 5
            }
            MockKafkaProducer<String, String>().use { producer ->
                val inside = CopyOnWriteArrayList<Exception>()
                producer.send(ProducerRecord("t", "k", "v")) { _, _ -> runCatching { producer.flush() }.onFailure { inside += it as Exception } }
                producer.flush()
                inside.single().shouldBeInstanceOf<KafkaException>().message shouldBe
                    "KafkaProducer.flush() invocation inside a callback is not permitted because it may lead to deadlock."
            }
        }

        test("close fails pending records, delivers their callbacks, stops the callback thread, and refuses later sends") {
            val producer = MockKafkaProducer<String, String> { completion = Completion.MANUAL }
            val callback = Recording()
            producer.send(ProducerRecord("t", "k", "v"), callback)
            producer.close()
            producer.close()
            producer.isClosed shouldBe true
            callback.calls
                .single()
                .second!!
                .message shouldBe "Producer is closed forcefully."
            shouldThrow<IllegalStateException> { producer.send(ProducerRecord("t", "k", "v")) }.message shouldBe
                "Cannot perform operation after producer has been closed"
            Thread.getAllStackTraces().keys.filter { it.isAlive && it.name == callback.calls.single().third } shouldHaveSize 0
        }

        test("after close, every transactional call and fence() throw the client's IllegalStateException") {
            val closedMessage = "Cannot perform operation after producer has been closed"
            val calls =
                listOf<Pair<String, (MockKafkaProducer<String, String>) -> Unit>>(
                    "initTransactions" to { it.initTransactions() },
                    "beginTransaction" to { it.beginTransaction() },
                    "sendOffsetsToTransaction" to
                        { it.sendOffsetsToTransaction(mapOf(TopicPartition("in", 0) to OffsetAndMetadata(1)), ConsumerGroupMetadata("g")) },
                    "commitTransaction" to { it.commitTransaction() },
                    "abortTransaction" to { it.abortTransaction() },
                    "fence" to { it.fence() },
                )
            for ((name, call) in calls) {
                // Closed in every state a test can leave it in: never initialized, ready, in a transaction, fenced.
                for (state in listOf("uninitialized", "ready", "in transaction", "fenced")) {
                    val producer = MockKafkaProducer<String, String> { transactionalId = "tx-closed" }
                    if (state != "uninitialized") producer.initTransactions()
                    if (state == "in transaction") producer.beginTransaction()
                    if (state == "fenced") producer.fence()
                    producer.close()
                    withClue("$name when $state") { shouldThrow<IllegalStateException> { call(producer) }.message shouldBe closedMessage }
                }
            }
            // A non-transactional producer says that first, closed or not, as KafkaProducer does.
            val plain = MockKafkaProducer<String, String>()
            plain.close()
            shouldThrow<IllegalStateException> { plain.beginTransaction() }.message shouldContain "non-transactional"
        }

        test("awaitRecord returns sent records in order, and expectNoRecords names the unread ones") {
            val producer = MockKafkaProducer<String, String>()
            producer.send(ProducerRecord("t", "a", "1"))
            producer.send(ProducerRecord("t", "b", "2"))
            producer.awaitRecord().key() shouldBe "a"
            producer.awaitRecord().key() shouldBe "b"
            producer.expectNoRecords()
            shouldThrow<AssertionError> { producer.awaitRecord(100.milliseconds) }.message shouldStartWith "No record was sent within 100ms"
            producer.send(ProducerRecord("t", "c", "3"))
            shouldThrow<AssertionError> { producer.expectNoRecords() }.message shouldContain "key=\"c\" value=\"3\""
            producer.close()
        }

        test("the configuration is validated") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    MockKafkaProducer<String, String> {
                        topic("t", partitions = 0)
                        defaultPartitions = 0
                    }
                }
            error.message shouldContain "topic 't' needs at least 1 partition, was 0"
            error.message shouldContain "defaultPartitions must be at least 1, was 0"
            shouldThrow<IllegalArgumentException> { MockKafkaProducer<String, Any>() }.message shouldContain "no built-in serializer for java.lang.Object"
        }

        test("interceptors run as in the real client: onSend before serialization, onAcknowledgement before the callback") {
            val order = CopyOnWriteArrayList<String>()
            val interceptor =
                object : org.apache.kafka.clients.producer.ProducerInterceptor<String, String> {
                    override fun onSend(record: ProducerRecord<String, String>) =
                        ProducerRecord(record.topic(), record.key(), record.value().uppercase()).also { order += "onSend" }

                    override fun onAcknowledgement(
                        metadata: RecordMetadata?,
                        exception: Exception?,
                    ) {
                        order += "onAcknowledgement"
                    }

                    override fun close() = Unit

                    override fun configure(configs: MutableMap<String, *>) = Unit
                }
            MockKafkaProducer<String, String> {
                interceptors += interceptor
                autoCreateTopics = false
                topic("t")
                completion = Completion.MANUAL
            }.use { producer ->
                lateinit var future: java.util.concurrent.Future<RecordMetadata>
                future = producer.send(ProducerRecord("t", "k", "quiet")) { _, _ -> order += "callback, future done: ${future.isDone}" }
                producer.completeNext()
                future.isDone shouldBe true
                producer.history().single().value() shouldBe "QUIET"
                order shouldBe listOf("onSend", "onAcknowledgement", "callback, future done: false")
                // An error found inside send calls the callback first, then the interceptors (KafkaProducer.doSend).
                order.clear()
                producer.send(ProducerRecord("unknown", "k", "v")) { _, _ -> order += "callback" }
                order shouldBe listOf("onSend", "callback", "onAcknowledgement")
            }
        }

        test("history keeps the partition and timestamp the record was given") {
            MockKafkaProducer<String, String> {
                topic("t", partitions = 2)
                clock = java.util.function.LongSupplier { 1_000L }
            }.use { producer ->
                producer.send(ProducerRecord("t", 1, "k", "v"))
                producer.send(ProducerRecord("t", 0, 5L, "k", "v"))
                producer.history().map { it.partition() to it.timestamp() } shouldContainExactly listOf(1 to 1_000L, 0 to 5L)
            }
        }
    })
