package io.github.kproducer.dsl

import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.serialization.Serializer
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration

/**
 * A Kafka producer with suspending sends and an error contract you can rely on.
 *
 * Build one with [kafkaProducer] (Kotlin), [KProducer.builder] (Java), or wrap any existing
 * [Producer] (a test mock included) with [asKProducer].
 *
 * **Errors.** A failed send throws Kafka's own exception from the call that sent the record
 * (`TimeoutException`, `RecordTooLargeException`, `SerializationException`, authorization errors...),
 * never a wrapper and never metadata with `-1` fields. [isRetriable] and [isFatal] classify them.
 *
 * **Threads.** [send] never parks a thread of the caller's dispatcher: when Kafka would block (the
 * topic's metadata is not known yet, or the send buffer is nearly full), the record is handed to
 * Kafka on a per-topic lane of `Dispatchers.IO` while the caller suspends. Otherwise it is handed
 * over directly on the caller's thread, as cheaply as `Producer.send`. Results are resumed on the
 * caller's dispatcher, never run on Kafka's I/O thread.
 *
 * **Order.** Records handed to `send`/`offer`/`sendAsync` one after another reach their partition
 * in that order, also when some of them had to wait for metadata.
 *
 * **Cancellation.** Cancelling a waiting [send] stops the waiting, not the record: once Kafka has
 * the record, it is delivered or fails (and nobody hears of it). A send cancelled while it still
 * waits for metadata is not sent.
 *
 * Thread-safe. Closing it closes the underlying producer.
 */
public interface KProducer<K, V> : AutoCloseable {
    /** The Kafka producer this one sends through: the client built from the settings, or the wrapped one. */
    public val producer: Producer<K, V>

    /** Whether [close] has been called; sends then fail with `IllegalStateException`. */
    public val isClosed: Boolean

    /**
     * Sends [record] and returns its metadata once the broker has acknowledged it (per `acks`).
     *
     * Suspends; never blocks the calling thread. Bounded by `max.block.ms` (for metadata and buffer
     * space) plus `delivery.timeout.ms`. Cancellation stops the waiting but not a record Kafka
     * already has.
     *
     * @throws org.apache.kafka.common.KafkaException Kafka's own exception when the send fails.
     * @throws IllegalStateException when this producer is closed.
     */
    public suspend fun send(record: ProducerRecord<K, V>): RecordMetadata

    /**
     * Sends a record with [key] and [value] to [topic] (partition chosen by the partitioner); see
     * [send]. A `null` value is a tombstone.
     */
    public suspend fun send(
        topic: String,
        key: K?,
        value: V?,
    ): RecordMetadata = send(ProducerRecord(topic, key, value))

    /**
     * Builds a record for [topic] with [build] (`key`, `value`, `partition`, `timestamp`, `header(...)`)
     * and sends it; see [send].
     *
     * @throws IllegalArgumentException when [build] does not set `value` (set `value = null` for a tombstone).
     */
    public suspend fun send(
        topic: String,
        build: RecordBuilder<K, V>.() -> Unit,
    ): RecordMetadata = send(producerRecord(topic, build))

    /**
     * Java form of [send]: returns a future completed with the metadata, or exceptionally with
     * Kafka's exception. Never blocks the calling thread; the future completes on another thread.
     *
     * @throws IllegalStateException when this producer is closed.
     */
    public fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata>

    /** Java form of [send] with a key and value; see [sendAsync]. */
    public fun sendAsync(
        topic: String,
        key: K?,
        value: V?,
    ): CompletableFuture<RecordMetadata> = sendAsync(ProducerRecord(topic, key, value))

    /**
     * Sends [record] without waiting for the result (fire-and-forget). A failure is not lost: it goes
     * to the `onError` handler (by default logged at ERROR with the topic and cause).
     *
     * Never blocks the calling thread and never throws for a failed send.
     *
     * @throws IllegalStateException when this producer is closed.
     */
    public fun offer(record: ProducerRecord<K, V>)

    /** Fire-and-forget send of [key] and [value] to [topic]; see [offer]. */
    public fun offer(
        topic: String,
        key: K?,
        value: V?,
    ): Unit = offer(ProducerRecord(topic, key, value))

    /**
     * Sends every buffered record now and suspends until all records handed over before this call
     * have completed (successfully or not).
     *
     * Suspends; the blocking `Producer.flush` runs on `Dispatchers.IO`. Cancelling stops the waiting.
     *
     * @throws IllegalStateException when this producer is closed.
     */
    public suspend fun flush()

    /** Java form of [flush]: the future completes when every earlier record has completed. */
    public fun flushAsync(): CompletableFuture<Void?>

    /**
     * Closes the producer: new sends fail at once; records already handed over get up to [timeout]
     * to complete, and the ones still pending then fail (their callers resume with the error).
     * Idempotent.
     *
     * Blocks the calling thread for up to [timeout].
     */
    public fun close(timeout: Duration)

    /** Java form of [close] with a `java.time.Duration`. */
    public fun close(timeout: java.time.Duration)

    /** Closes the producer, waiting up to the configured `closeTimeout` (default 30 s); see [close]. */
    override fun close()

    /** Entry points for Java. */
    public companion object {
        /**
         * Starts a Java-style builder with explicit serializers:
         * `KProducer.builder(new StringSerializer(), new StringSerializer()).bootstrapServers("...").build()`.
         */
        @JvmStatic
        public fun <K, V> builder(
            keySerializer: Serializer<K>,
            valueSerializer: Serializer<V>,
        ): KProducerBuilder<K, V> = KProducerBuilder(newConfig(keySerializer, valueSerializer, "explicit", "explicit"))

        /**
         * Starts a Java-style builder whose serializers are Kafka's built-in ones for [keyType] and
         * [valueType] (`String.class`, `Integer.class`, `byte[].class`, ...); others fail at `build()`
         * unless set on the builder.
         */
        @JvmStatic
        public fun <K, V> builder(
            keyType: Class<K>,
            valueType: Class<V>,
        ): KProducerBuilder<K, V> = KProducerBuilder(newConfig<K, V>(keyType, valueType, keyType.simpleName, valueType.simpleName))

        /** Creates a producer from validated [settings]. */
        @JvmStatic
        public fun <K, V> create(settings: KProducerSettings<K, V>): KProducer<K, V> = KProducer(settings)

        /** Wraps an existing [producer]; see [asKProducer]. */
        @JvmStatic
        public fun <K, V> wrap(producer: Producer<K, V>): KProducer<K, V> = producer.asKProducer()
    }
}
