package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.HeadersContext
import io.github.kproducer.dsl.ProducerMetrics
import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.delivery.Deliveries
import io.github.kproducer.dsl.internal.delivery.QueuedWork
import io.github.kproducer.dsl.internal.delivery.ResumeQueue
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.KafkaException
import org.slf4j.LoggerFactory
import kotlin.coroutines.CoroutineContext

/**
 * The way every record of one producer travels, whichever call sent it: the context headers are added,
 * its span starts, the hand-off gives it to Kafka (directly, or through its lane, [HandOff]), the
 * tracker counts its outcome and tells the listeners ([SendTracker]), and what runs user code is
 * delivered in order off Kafka's I/O thread ([Deliveries], [ResumeQueue]). A record enters through
 * [submit] only, as the [InFlightRecord] that completes its caller.
 *
 * The sends of one record ([SingleSends]), of many ([Batches]) and of transactions use it; none of
 * them reaches into the hand-off, the tracker or the deliveries.
 */
internal class SendPipeline<K, V>(
    private val producer: Producer<K, V>,
    private val behaviour: ProducerBehaviour<K, V>,
    bootstrapServers: String?,
    probe: ClientProbe,
) {
    private val deliveries = Deliveries()
    private val resumes = ResumeQueue()

    /** The outcome counters and listeners; every [InFlightRecord] reports to it. */
    val tracker = SendTracker(behaviour, bootstrapServers, deliveries, unguarded = producer !is KafkaProducer<*, *>)
    private val handOff = HandOff(producer, probe, tracker, firstWriteGuard(producer, probe))
    private val tracing = behaviour.tracing?.forProducer(producer)
    private val copyContextHeaders = behaviour.copyContextHeaders

    /** The most records a batch or flow keeps in flight. */
    val maxInFlightRecords: Int get() = behaviour.maxInFlightRecords

    /**
     * Sends [record] as [inFlight]: adds the caller's context headers (from [context], the suspending
     * caller's coroutine context, or from the calling thread's `HeadersScope` when it is null), starts its
     * span, and hands it over. Returns `true` when it went to Kafka directly, `false` when it waits in
     * its lane, from where a cancelled caller may still [withdraw] it. Never blocks.
     *
     * @throws Exception what `Producer.send` throws (a serializer's failure, say); the record is then not sent.
     */
    fun submit(
        record: ProducerRecord<K, V>,
        inFlight: InFlightRecord<K, V>,
        context: CoroutineContext?,
    ): Boolean {
        if (copyContextHeaders) addHeaders(record, if (context != null) context[HeadersContext]?.entries else ThreadHeaders.entries())
        if (tracing != null) inFlight.span = tracing.start(record, context)
        return handOff.submit(record, inFlight)
    }

    /** Takes back a record waiting in its lane, whose caller was cancelled; `false` when Kafka has it already. */
    fun withdraw(inFlight: InFlightRecord<K, V>): Boolean = handOff.withdraw(inFlight)

    /** Whether a record had to wait in a lane for Kafka's buffer since the last direct send (see [HandOff.memoryShort]). */
    fun memoryShort(): Boolean = handOff.memoryShort()

    /** Runs [work] (a future's completion, a report) in order with every outcome delivered, off Kafka's I/O thread. */
    fun deliver(work: QueuedWork) {
        deliveries.deliver(work)
    }

    /** Resumes a suspended send through the resume queue, so that Kafka's I/O thread only queues it. */
    fun resume(work: QueuedWork) {
        resumes.resume(work)
    }

    /** On the resume drain: whether a `Dispatchers.Default` coroutine may be resumed in place now. */
    fun mayResumeInPlace(): Boolean = resumes.mayResumeInPlace()

    /** Hands the failure of a fire-and-forget record to the error handler, in order, never on Kafka's I/O thread. */
    fun report(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        deliveries.deliver(Report(record, exception))
    }

    /** Runs the error handler for [record]'s failure; a handler that throws is logged. */
    fun handle(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        try {
            behaviour.errorHandler.onError(record, exception)
        } catch (e: Exception) {
            log.error("The onError handler of a KProducer threw while handling a failure of topic {}", record.topic(), e)
        }
    }

    /** Suspends until every record submitted before the call has an outcome and every outcome has been delivered. */
    suspend fun flush() {
        handOff.awaitQueued()
        withContext(Dispatchers.IO) { interruptible { producer.flush() } }
        // Kafka has run every callback; let the futures and handlers they queued run too.
        deliveries.awaitDelivered()
    }

    // ---- what a transaction asks ----

    /** At a transaction's start: the producer id the lanes compare against, and no failure of an earlier transaction. */
    fun beginTransaction() {
        handOff.checkProducerId()
        handOff.clearFailures()
    }

    /** Suspends until every record queued in a lane before the call has reached Kafka or failed. */
    suspend fun awaitQueued() {
        handOff.awaitQueued()
    }

    /** The first record that failed before it reached Kafka since [beginTransaction]; a transaction must not commit past it. */
    fun failureBeforeKafka(): Exception? = handOff.failureBeforeKafka()

    // ---- what close asks ----

    /** Blocks up to [timeoutMs] until the lanes are empty; `false` when one still holds a record. */
    fun awaitQueuedBlocking(timeoutMs: Long): Boolean = handOff.awaitQueuedBlocking(timeoutMs)

    /** Fails every record still queued in a lane with [cause], and every one queued later. */
    fun failQueued(cause: KafkaException) {
        handOff.failQueued(cause)
    }

    /** Blocks up to [timeoutMs] until every outcome queued so far has been delivered. */
    fun awaitDeliveredBlocking(timeoutMs: Long): Boolean = deliveries.awaitDeliveredBlocking(timeoutMs)

    /** How many lanes hold records now (an idle producer has none). */
    fun laneCount(): Int = handOff.laneCount()

    /** The producer's own counts beside the Kafka client's main metrics. */
    fun metrics(): ProducerMetrics {
        val acknowledged = tracker.acknowledged.sum()
        val failed = tracker.failed.sum()
        val kafka = runCatching { producer.metrics() }.getOrDefault(emptyMap())
        val byName = kafka.entries.filter { it.key.group() == "producer-metrics" }.associate { it.key.name() to it.value }

        fun value(name: String): Double? = (byName[name]?.metricValue() as? Number)?.toDouble()
        return ProducerMetrics(
            acknowledged = acknowledged,
            failed = failed,
            inFlight = (tracker.accepted.sum() - acknowledged - failed).coerceAtLeast(0),
            recordSendRate = value("record-send-rate"),
            recordErrorRate = value("record-error-rate"),
            recordRetryRate = value("record-retry-rate"),
            requestLatencyAvgMs = value("request-latency-avg"),
            requestLatencyMaxMs = value("request-latency-max"),
            batchSizeAvg = value("batch-size-avg"),
            compressionRateAvg = value("compression-rate-avg"),
            bufferAvailableBytes = value("buffer-available-bytes"),
            requestsInFlight = value("requests-in-flight"),
        )
    }

    private fun addHeaders(
        record: ProducerRecord<K, V>,
        entries: Map<String, String>?,
    ) {
        if (entries == null) return
        val recordHeaders = record.headers()
        for ((name, value) in entries) {
            if (recordHeaders.lastHeader(name) == null) recordHeaders.add(name, value.toByteArray(Charsets.UTF_8))
        }
    }

    private inner class Report(
        private val record: ProducerRecord<K, V>,
        private val exception: Exception,
    ) : QueuedWork() {
        override fun runQueued() {
            handle(record, exception)
        }
    }

    private companion object {
        val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!
    }
}

/**
 * The guard of first writes ([FirstWriteGuard]) for an idempotent `KafkaProducer`, watched for producer
 * id changes; `null` for any other producer (a mock, a decorator the DSL cannot see into, idempotence off).
 */
private fun <K, V> firstWriteGuard(
    producer: Producer<K, V>,
    probe: ClientProbe,
): FirstWriteGuard<K, V>? {
    val internals = ProducerInternals.of<K, V>(producer) ?: return null
    return FirstWriteGuard(internals, probe.maxBlockMs).also { SendWatchdog.watch(it) }
}
