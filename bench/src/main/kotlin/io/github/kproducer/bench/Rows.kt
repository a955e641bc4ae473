package io.github.kproducer.bench

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.kafkaProducerSettings
import io.github.nomisRev.kafka.publisher.Acks
import io.github.nomisRev.kafka.publisher.KafkaPublisher
import io.github.nomisRev.kafka.publisher.PublisherSettings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.suspendCancellableCoroutine
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.ByteArraySerializer
import java.util.Properties
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlin.time.TimeSource

/** The producer settings a row runs with. */
internal enum class Settings(
    val label: String,
    val properties: Map<String, Any>,
) {
    /** acks=all, 5 ms linger, 64 KiB batches, lz4 (idempotence stays on, Kafka's default). */
    TUNED(
        "tuned",
        mapOf(
            ProducerConfig.ACKS_CONFIG to "all",
            ProducerConfig.LINGER_MS_CONFIG to 5,
            ProducerConfig.BATCH_SIZE_CONFIG to 64 * 1024,
            ProducerConfig.COMPRESSION_TYPE_CONFIG to "lz4",
        ),
    ),

    /** Kafka's defaults. */
    DEFAULTS("defaults", emptyMap()),
}

/** The records of one run: [count] records of one shared 100-byte payload, without keys, to [topic], which has [partitions] partitions. */
internal class Records(
    val topic: String,
    val count: Int,
    payload: ByteArray,
    val partitions: Int = 3,
) {
    val list: List<ProducerRecord<ByteArray?, ByteArray>> = List(count) { ProducerRecord(topic, null, payload) }

    /** One small record per partition, sent untimed before a run: every partition has been written to, so a run measures the steady state. */
    val warmUp: List<ProducerRecord<ByteArray?, ByteArray>> get() = List(partitions) { ProducerRecord(topic, it, null, ByteArray(1)) }
}

/**
 * Where a row sends, and how: the broker's [bootstrapServers], and for kproducer rows the
 * `maxInFlightRecords` to set ([window]; null keeps kproducer's default, which is what users get).
 */
internal class Target(
    val bootstrapServers: String,
    val window: Int? = null,
)

/** How long a row took, and how much CPU this JVM (the producer's; the broker has its own) spent meanwhile. */
internal class Timing(
    val seconds: Double,
    val cpuNanos: Long,
)

/**
 * One way of sending the records. Each builds its producer and sends one warm-up record (so that
 * topic metadata and connections exist), then times sending every record until the last is
 * acknowledged; it returns the time that took and the CPU it used.
 */
internal sealed class Row(
    val name: String,
    val sync: Boolean = false,
    /** Rows far slower than raw send a fraction of the records (the rate is what counts), to keep the run short. */
    val slowdown: Int = 1,
    /** Whether the row sends to the broker that sits behind the test kit's fault proxy. */
    val viaProxy: Boolean = false,
) {
    abstract fun run(
        target: Target,
        settings: Settings,
        records: Records,
    ): Timing

    /** The row this one is paired with and compared to: the raw producer, or for a pattern the same pattern with no library. */
    open val baseline: Row get() = Raw

    protected fun properties(
        bootstrapServers: String,
        settings: Settings,
    ): Map<String, Any> = settings.properties + (ProducerConfig.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers)

    /** Times [body] on a new kproducer that has already written one untimed record to every partition of the topic. */
    protected fun timedKProducer(
        target: Target,
        settings: Settings,
        records: Records,
        body: suspend (KProducer<ByteArray?, ByteArray>) -> Unit,
    ): Timing {
        val kproducerSettings =
            kafkaProducerSettings<ByteArray?, ByteArray> {
                this.bootstrapServers = target.bootstrapServers
                settings.properties.forEach { (key, value) -> property(key, value) }
                target.window?.let { maxInFlightRecords = it }
            }
        return KProducer(kproducerSettings).use { producer ->
            runBlocking(Dispatchers.Default) {
                producer.sendAll(records.warmUp)
                timed { body(producer) }
            }
        }
    }

    /** A row that times [body] on a warm kproducer ([timedKProducer]). */
    abstract class KProducerRow(
        name: String,
        private val body: suspend (KProducer<ByteArray?, ByteArray>, Records) -> Unit,
    ) : Row(name) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing = timedKProducer(target, settings, records) { producer -> body(producer, records) }
    }

    /** Runs [body] on a new `KafkaProducer` that has already written one untimed record to every partition of the topic. */
    protected inline fun <T> warmKafkaProducer(
        target: Target,
        settings: Settings,
        records: Records,
        body: (KafkaProducer<ByteArray?, ByteArray>) -> T,
    ): T =
        KafkaProducer(properties(target.bootstrapServers, settings), ByteArraySerializer(), ByteArraySerializer()).use { producer ->
            records.warmUp.map { producer.send(it) }.forEach { it.get() }
            body(producer)
        }

    protected inline fun timed(block: () -> Unit): Timing {
        val cpu = processCpuNanos()
        val started = TimeSource.Monotonic.markNow()
        block()
        val seconds = started.elapsedNow().inWholeNanoseconds / 1e9
        return Timing(seconds, processCpuNanos() - cpu)
    }

    /** The CPU time of this JVM so far: every thread, the client's I/O thread and the garbage collector included. */
    protected fun processCpuNanos(): Long =
        (
            java.lang.management.ManagementFactory
                .getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean
        ).processCpuTime

    /** `KafkaProducer.send(record, callback)` for every record, then wait for the last callback. */
    object Raw : Row(RAW) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing =
            warmKafkaProducer(target, settings, records) { producer ->
                val done = CountDownLatch(records.count)
                val failure = AtomicReference<Exception>()
                timed {
                    for (record in records.list) {
                        producer.send(record) { _, e ->
                            if (e != null) failure.compareAndSet(null, e)
                            done.countDown()
                        }
                    }
                    done.await()
                }.also { failure.get()?.let { throw it } }
            }
    }

    /**
     * The raw loop to a second broker JVM whose clients go through the test kit's fault proxy with no
     * fault set: what the proxy costs a test that turns it on.
     */
    object RawProxied : Row(RAW_PROXIED, viaProxy = true) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing = Raw.run(target, settings, records)
    }

    /**
     * `KafkaProducer.send(record, callback)` with at most 1,000 records in flight (a semaphore): the raw
     * client at the concurrency of the 1,000-coroutine row, which throughput-per-latency bounds alike.
     */
    object RawBounded : Row(RAW_1000) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing =
            warmKafkaProducer(target, settings, records) { producer ->
                val permits = java.util.concurrent.Semaphore(1000)
                val done = CountDownLatch(records.count)
                timed {
                    for (record in records.list) {
                        permits.acquire()
                        producer.send(record) { _, _ ->
                            permits.release()
                            done.countDown()
                        }
                    }
                    done.await()
                }
            }
    }

    /** kproducer's `sendAll(records)`. */
    object SendAll : KProducerRow(SEND_ALL, { producer, records ->
        producer.sendAll(records.list)
    })

    /** kproducer's `sendAllSettled(records)`: every outcome, failures included, as a list. */
    object SendAllSettled : KProducerRow(SEND_ALL_SETTLED, { producer, records ->
        producer.sendAllSettled(records.list)
    })

    /** kproducer's `sendAll(flow)`, collected. */
    object FlowRow : KProducerRow(FLOW, { producer, records ->
        producer.sendAll(records.list.asFlow()).collect { }
    })

    /** A coroutine per record, every one launched at once: `coroutineScope { records.forEach { launch { send(it) } } }`. */
    object Launch : KProducerRow(LAUNCH, { producer, records ->
        coroutineScope { records.list.forEach { record -> launch { producer.send(record) } } }
    }) {
        override val baseline: Row get() = BareLaunch
    }

    /**
     * The coroutine-per-record pattern with no library: `launch { suspendCancellableCoroutine { Producer.send(it, callback resumes) } }`
     * on a plain `KafkaProducer`. What launching a million coroutines costs by itself: the floor of the pattern.
     */
    object BareLaunch : Row(BARE_LAUNCH) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing =
            warmKafkaProducer(target, settings, records) { producer ->
                runBlocking(Dispatchers.Default) {
                    timed {
                        coroutineScope {
                            records.list.forEach { record ->
                                launch {
                                    suspendCancellableCoroutine<org.apache.kafka.clients.producer.RecordMetadata> { continuation ->
                                        producer.send(record) { metadata, e ->
                                            if (e == null) continuation.resume(metadata) else continuation.resumeWithException(e)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
    }

    /** A deferred per record: `records.map { async { send(it) } }.awaitAll()`. */
    object AwaitAll : KProducerRow(AWAIT_ALL, { producer, records ->
        coroutineScope { records.list.map { record -> async { producer.send(record) } }.awaitAll() }
    }) {
        override val baseline: Row get() = BareAwaitAll
    }

    /** The deferred-per-record pattern with no library: `async { suspendCancellableCoroutine { Producer.send(it, callback resumes) } }`, then `awaitAll()`. */
    object BareAwaitAll : Row(BARE_AWAIT_ALL) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing =
            warmKafkaProducer(target, settings, records) { producer ->
                runBlocking(Dispatchers.Default) {
                    timed {
                        coroutineScope {
                            records.list
                                .map { record ->
                                    async {
                                        suspendCancellableCoroutine<org.apache.kafka.clients.producer.RecordMetadata> { continuation ->
                                            producer.send(record) { metadata, e ->
                                                if (e == null) continuation.resume(metadata) else continuation.resumeWithException(e)
                                            }
                                        }
                                    }
                                }.awaitAll()
                        }
                    }
                }
            }
    }

    /** Java's first try: `records.map { sendAsync(it) }.forEach { it.join() }`. */
    object SendAsync : KProducerRow(SEND_ASYNC, { producer, records ->
        records.list.map { producer.sendAsync(it) }.forEach { it.join() }
    })

    /**
     * The raw client's form of [SendAsync]: `records.map { KafkaProducer.send(it) }.forEach { it.get() }`. Beside
     * [SendAsync] it shows what keeping a future per record costs without kproducer: the caller blocks in
     * `send` when the buffer is full, and holds every future (and, once got, its metadata) until the end.
     */
    object RawFutures : Row(RAW_FUTURES) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing =
            warmKafkaProducer(target, settings, records) { producer ->
                timed { records.list.map { producer.send(it) }.forEach { it.get() } }
            }
    }

    /** Fire and forget, then wait: `records.forEach { offer(it) }; flush()`. */
    object OfferFlush : KProducerRow(OFFER, { producer, records ->
        records.list.forEach { producer.offer(it) }
        producer.flush()
    })

    /** kproducer's suspending `send`, from 1,000 coroutines each sending its share one by one. */
    object Coroutines : Row(COROUTINES) {
        override val baseline: Row get() = RawBounded

        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing {
            val shares = records.list.chunked((records.count + 999) / 1000)
            return timedKProducer(target, settings, records) { producer ->
                coroutineScope { shares.forEach { share -> launch { share.forEach { producer.send(it) } } } }
            }
        }
    }

    /** kotlin-kafka 0.4.1: `publishScope { offer(record) }` for every record; the scope awaits them all. */
    object KotlinKafka : Row(KOTLIN_KAFKA, slowdown = 5) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing {
            val extra = Properties().apply { settings.properties.forEach { (k, v) -> put(k, v.toString()) } }
            val publisherSettings =
                PublisherSettings(
                    bootstrapServers = target.bootstrapServers,
                    keySerializer = ByteArraySerializer(),
                    valueSerializer = ByteArraySerializer(),
                    acknowledgments = Acks.All,
                    properties = extra,
                )
            return KafkaPublisher(publisherSettings).use { publisher ->
                runBlocking(Dispatchers.Default) {
                    publisher.publishScope { records.warmUp.forEach { publish(it) } }
                    timed { publisher.publishScope { records.list.forEach { offer(it) } } }
                }
            }
        }
    }

    /** `KafkaProducer.send(record).get()` for every record: one round trip (and linger) each. */
    object Sync : Row(SYNC, sync = true) {
        override fun run(
            target: Target,
            settings: Settings,
            records: Records,
        ): Timing =
            warmKafkaProducer(target, settings, records) { producer ->
                timed { records.list.forEach { producer.send(it).get() } }
            }
    }

    companion object {
        const val RAW = "raw KafkaProducer"
        const val SEND_ALL = "kproducer sendAll"
        const val SEND_ALL_SETTLED = "kproducer sendAllSettled"
        const val FLOW = "kproducer Flow"
        const val COROUTINES = "kproducer 1000 coroutines"
        const val RAW_1000 = "raw, 1000 in flight"
        const val RAW_PROXIED = "raw, via fault proxy"
        const val KOTLIN_KAFKA = "kotlin-kafka publisher"
        const val SYNC = "send().get() per record"
        const val LAUNCH = "kproducer launch/record"
        const val BARE_LAUNCH = "bare launch/record"
        const val BARE_AWAIT_ALL = "bare async/awaitAll"
        const val AWAIT_ALL = "kproducer async/awaitAll"
        const val SEND_ASYNC = "kproducer sendAsync+join"
        const val OFFER = "kproducer offer+flush"
        const val RAW_FUTURES = "raw futures, get at end"

        val all: List<Row> by lazy {
            listOf(
                Raw,
                RawProxied,
                SendAll,
                SendAllSettled,
                FlowRow,
                SendAsync,
                RawFutures,
                OfferFlush,
                BareLaunch,
                Launch,
                BareAwaitAll,
                AwaitAll,
                RawBounded,
                Coroutines,
                KotlinKafka,
                Sync,
            )
        }
    }
}
