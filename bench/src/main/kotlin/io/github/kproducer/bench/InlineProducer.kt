package io.github.kproducer.bench

import io.github.kproducer.dsl.KProducer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.count
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.suspendCancellableCoroutine
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.Metric
import org.apache.kafka.common.MetricName
import org.apache.kafka.common.PartitionInfo
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.Uuid
import org.apache.kafka.common.metrics.KafkaMetric
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Future
import kotlin.coroutines.Continuation
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.intrinsics.startCoroutineUninterceptedOrReturn
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * A producer with no network: `send` completes the callback at once with fixed metadata. Sending
 * through it measures only what a layer on top of `Producer.send` costs.
 */
public open class InlineProducer : Producer<ByteArray?, ByteArray> {
    private val metadata = RecordMetadata(TopicPartition("bench", 0), 0, 0, 0, 0, 100)
    private val done: Future<RecordMetadata> = CompletableFuture.completedFuture(metadata)

    override fun send(record: ProducerRecord<ByteArray?, ByteArray>): Future<RecordMetadata> = done

    open override fun send(
        record: ProducerRecord<ByteArray?, ByteArray>,
        callback: Callback?,
    ): Future<RecordMetadata> {
        callback?.onCompletion(metadata, null)
        return done
    }

    override fun initTransactions(): Unit = Unit

    override fun beginTransaction(): Unit = Unit

    override fun sendOffsetsToTransaction(
        offsets: Map<TopicPartition, OffsetAndMetadata>,
        groupMetadata: ConsumerGroupMetadata,
    ): Unit = Unit

    override fun commitTransaction(): Unit = Unit

    override fun abortTransaction(): Unit = Unit

    override fun registerMetricForSubscription(metric: KafkaMetric): Unit = Unit

    override fun unregisterMetricFromSubscription(metric: KafkaMetric): Unit = Unit

    override fun flush(): Unit = Unit

    override fun partitionsFor(topic: String): List<PartitionInfo> = emptyList()

    override fun metrics(): Map<MetricName, Metric> = emptyMap()

    override fun clientInstanceId(timeout: Duration): Uuid = Uuid.ZERO_UUID

    override fun close(): Unit = Unit

    override fun close(timeout: Duration): Unit = Unit
}

/**
 * Calls the suspending [KProducer.send] from plain code, for JMH: [count] sends one after another
 * inside one coroutine, as a coroutine that sends in a loop does. With a producer that completes
 * inline no send suspends, so the call returns at once. The coroutine context holds a real
 * dispatcher, so `send` takes its normal path. One coroutine for all [count] sends: starting a
 * coroutine per send would measure the start (a new `DispatchedContinuation` and a fold over its
 * context each time), which a sending coroutine pays once.
 */
public class DirectSend(
    private val producer: KProducer<ByteArray?, ByteArray>,
    record: ProducerRecord<ByteArray?, ByteArray>,
    count: Int,
) {
    private val call: suspend () -> Int = {
        var sent = 0
        repeat(count) {
            producer.send(record)
            sent++
        }
        sent
    }

    init {
        // The first send to a topic learns its metadata in the topic's lane; later ones go direct.
        runBlocking(Dispatchers.Default) { producer.send(record) }
    }

    /** Sends the record [count] times; returns how many were acknowledged. */
    public fun send(): Any? = call.startCoroutineUninterceptedOrReturn(Completion)
}

/**
 * The bare pattern [DirectSend] is compared with: `suspendCancellableCoroutine` over
 * `Producer.send(record, callback)`, [count] times inside one coroutine. What a suspending send costs
 * with no library: the floor under kproducer's `send`.
 */
public class BareSend(
    private val producer: Producer<ByteArray?, ByteArray>,
    record: ProducerRecord<ByteArray?, ByteArray>,
    count: Int,
) {
    private val call: suspend () -> Int = {
        var sent = 0
        repeat(count) {
            suspendCancellableCoroutine<RecordMetadata> { continuation ->
                producer.send(record) { metadata, e -> if (e == null) continuation.resume(metadata) else continuation.resumeWithException(e) }
            }
            sent++
        }
        sent
    }

    /** Sends the record [count] times; returns how many were acknowledged. */
    public fun send(): Any? = call.startCoroutineUninterceptedOrReturn(Completion)
}

private object Completion : Continuation<Any?> {
    override val context: CoroutineContext = Dispatchers.Default

    override fun resumeWith(result: Result<Any?>): Unit = Unit
}

/** Runs kproducer's batch forms over a list from plain code, for JMH. */
public class DirectBatch(
    private val producer: KProducer<ByteArray?, ByteArray>,
    private val records: List<ProducerRecord<ByteArray?, ByteArray>>,
) {
    /** `sendAll(records)`; returns how many were acknowledged. */
    public fun sendAll(): Int = runBlocking(Dispatchers.Default) { producer.sendAll(records).size }

    /** `sendAll(records.asFlow())`, collected; returns how many were acknowledged. */
    public fun flow(): Int = runBlocking(Dispatchers.Default) { producer.sendAll(records.asFlow()).count() }
}
