package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.tx.Transactions
import kotlinx.coroutines.flow.Flow
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.serialization.Serializer
import java.util.concurrent.CompletableFuture
import java.util.function.Consumer
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
 * **Threads.** No call blocks the caller's thread, not even in an outage: `Producer.send` waits up to
 * `max.block.ms` when the client lacks the topic's metadata (a new topic, or every topic after the
 * client rebootstrapped because no broker answered) or buffer memory. Before each record kproducer
 * reads the client's own state; when Kafka could take the record at once it is handed over on the
 * caller's thread, as cheaply as `Producer.send`, otherwise it waits in its topic's lane, a queue
 * that a background thread (an elastic view of `Dispatchers.IO`) hands to Kafka, while the caller
 * suspends ([send], [sendAll], the Flow forms) or goes on ([sendAsync], [offer]). A watchdog covers
 * the instant between that reading and Kafka's own check: a caller's thread that meets a wait in
 * Kafka anyway is released within about 20 ms and its record continues in the lane. Suspended
 * callers resume on their own dispatcher (an unconfined caller on `Dispatchers.Default`), never on
 * Kafka's I/O thread. Callers on `Dispatchers.Default` itself are resumed in bursts on one of its
 * threads, each running until it suspends again, with no trip through the scheduler's queue; a
 * caller that then blocks that thread for 20 ms leaves the others to another thread.
 *
 * **Every call ends.** Each record waits for metadata, buffer memory and its partition's first
 * acknowledgement (see *New partitions*) at most `max.block.ms` from when it was handed to this
 * producer (not from when the records ahead of it were done), then fails with Kafka's
 * `TimeoutException` (`BufferExhaustedException` for a full buffer); once Kafka has
 * it, it is acknowledged or fails within `delivery.timeout.ms`. While records wait, [sendAsync] and
 * [offer] keep them in memory: they never block, so they have no other back-pressure; [send],
 * [sendAll] and the Flow forms suspend instead.
 *
 * **Nothing is lost.** Every record ends in its caller's hands: [send] returns or throws, a
 * [sendAsync] future completes, an [offer] failure reaches the `onError` handler; also at [close],
 * where the records still waiting fail with a `KafkaException` that says so, before [close] returns.
 *
 * **Order.** Records handed to `send`/`offer`/`sendAsync` one after another reach their partition
 * in that order, also when some of them had to wait for metadata. A record for a partition the topic
 * does not have waits apart, so it does not hold the topic's other records. The futures of
 * [sendAsync] complete in each partition's offset order, one at a time, on a thread of
 * `Dispatchers.Default` (their dependent stages run there: keep them short, as Kafka's callbacks).
 *
 * **New partitions.** Until a partition has acknowledged one record of this producer, kproducer sends
 * it no other: the records behind the first wait in the partition's lane and follow it once it is
 * acknowledged. Without this, an idempotent producer (Kafka's default) can lose records on a partition
 * it has not written to yet, on every broker up to Kafka 4.4: when the first request to it fails with a
 * retriable error (a new partition whose leader has not opened it yet) while a second is in flight, the
 * broker appends the second and refuses every retry of the first until `delivery.timeout.ms`
 * (KAFKA-15591). The cost is at most one round trip per partition per producer, paid only by the
 * records sent while a partition's first record is out. A partition counts as new again when the
 * client forgets the topic's metadata (`metadata.max.idle.ms` without sends, or after an outage) and
 * when the producer id changes. This applies to producers built by kproducer and to a wrapped
 * `KafkaProducer`; other wrapped producers (a decorator, a mock) pick partitions kproducer cannot
 * compute in advance, and are sent to as they are.
 *
 * **Cancellation.** Cancelling a waiting [send] stops the waiting, not the record: once Kafka has
 * the record, it is delivered or fails (and nobody hears of it). A send cancelled while it still
 * waits in its lane is not sent.
 *
 * Thread-safe. Closing it closes the underlying producer.
 */
@SubclassOptInRequired(InternalForInheritanceKProducerApi::class)
public interface KProducer<K, V> :
    RecordSender<K, V>,
    AutoCloseable {
    /** The Kafka producer this one sends through: the client built from the settings, or the wrapped one. */
    public val producer: Producer<K, V>

    /** Whether [close] has been called; sends then fail with `IllegalStateException`. */
    public val isClosed: Boolean

    /**
     * Sends [record] and returns its metadata once the broker has acknowledged it (per `acks`).
     *
     * Suspends; never blocks the calling thread. Bounded by `max.block.ms` (for metadata and buffer
     * space, from this call on) plus `delivery.timeout.ms`. Cancellation stops the waiting but not a
     * record Kafka already has; a record still waiting in its lane is withdrawn and not sent.
     *
     * @throws org.apache.kafka.common.KafkaException Kafka's own exception when the send fails.
     * @throws IllegalStateException when this producer is closed.
     */
    override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata

    /**
     * Java form of [send]: returns a future completed with the metadata, or exceptionally with
     * Kafka's exception. Never blocks the calling thread; the future completes on a thread of
     * `Dispatchers.Default`, in the partition's offset order, within `max.block.ms` plus
     * `delivery.timeout.ms`, and at the latest when [close] returns. Cancelling the future stops the
     * waiting but not a record Kafka already has; a record still waiting in its lane is withdrawn and
     * not sent, as with [send].
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
     * to the `onError` handler (by default logged at ERROR with the topic and cause), also when it
     * happens during [close].
     *
     * Never blocks the calling thread and never throws for a failed send. While Kafka cannot take the
     * record it waits in memory, at most `max.block.ms`.
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
     * Sends [records] in order and returns their metadata in the same order, failing fast.
     *
     * Records are handed to Kafka one after another (so each partition gets them in input order) while
     * their acknowledgements are awaited together; at most `maxInFlightRecords` wait at once, and the
     * caller suspends, never blocks, when that or Kafka's buffer is full. On the first failure no
     * further record is handed over, the ones already handed over finish, and the failure (Kafka's
     * exception) is thrown.
     *
     * @throws org.apache.kafka.common.KafkaException the first failure.
     * @throws IllegalStateException when this producer is closed, or is transactional and this is
     *   not inside `transaction { }`.
     */
    public suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata>

    /**
     * Sends every one of [records] like [sendAll], but does not stop at failures: returns each
     * record's [SendResult] (metadata or exception), in input order. If the producer closes during the
     * call, the records not handed over yet fail with `IllegalStateException` in their results.
     *
     * @throws IllegalStateException when this producer is closed when the call begins.
     */
    public suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>>

    /**
     * Sends the records of [records] as they come, emitting each one's metadata in input order
     * once acknowledged. Cold: nothing is sent until the returned flow is collected.
     *
     * Back-pressure by suspension: at most `maxInFlightRecords` records are handed over but not yet
     * emitted, so a slow collector or a full Kafka buffer slows the upstream down; no thread blocks.
     * The first failure fails the flow with Kafka's exception and stops handing over records. When the
     * upstream throws, the metadata of the records already handed over is emitted (in order, up to a
     * failed one) before its exception is rethrown. If the producer closes, the flow ends the same way
     * with `IllegalStateException`. Cancelling the collector withdraws records still waiting in lanes.
     */
    public fun sendAll(records: Flow<ProducerRecord<K, V>>): Flow<RecordMetadata>

    /**
     * Like the flow form of [sendAll], but emits a [SendResult] per record and never fails for a failed
     * send. When the upstream throws, or the producer closes (an endless upstream then stops with
     * `IllegalStateException`), every record already handed over gets its result emitted first.
     */
    public fun sendAllSettled(records: Flow<ProducerRecord<K, V>>): Flow<SendResult<K, V>>

    /** Java form of [sendAll]: the future completes with every record's metadata, or with the first failure. */
    public fun sendAllAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<RecordMetadata>>

    /** Java form of [sendAllSettled]. */
    public fun sendAllSettledAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<SendResult<K, V>>>

    /**
     * Runs [block] in a Kafka transaction: everything it sends (and the consumer offsets it passes to
     * [KTransaction.sendOffsets]) is committed together when it returns, or aborted when it throws,
     * and the exception is rethrown. Needs a `transactionalId`.
     *
     * `initTransactions` runs on the first transaction. Transactions of one producer run one at a time,
     * in call order; a nested `transaction` on the same producer is refused. Commit and abort run
     * under `NonCancellable`: cancelling the caller aborts the transaction, and the abort completes.
     * A fatal error (fenced by a newer instance with the same transactional id, authorization,
     * unsupported broker) closes this producer and is rethrown; later calls say why it was closed.
     * When the block failed for another reason and the abort then reveals a fatal error, that fatal
     * error is thrown, with the block's exception suppressed in it. A record of the block that failed
     * before it reached Kafka makes the transaction abort.
     *
     * When the coordinator does not answer a commit or abort within `max.block.ms`, Kafka's
     * `TimeoutException` is thrown (for a commit, the outcome is unknown until it answers), and the
     * same call is retried at the start of the next `transaction`, as Kafka requires: after a
     * coordinator outage the producer goes on by itself once the coordinator is back.
     *
     * Suspends while it waits for the transaction lock, for acknowledgements and for the commit.
     *
     * @throws org.apache.kafka.common.KafkaException Kafka's exception when the transaction fails.
     * @throws IllegalStateException when this producer is closed or the call is nested.
     */
    public suspend fun <T> transaction(block: suspend KTransaction<K, V>.() -> T): T

    /**
     * Java form of [transaction]: [block] sends through the [KTransaction] (with `sendAsync`) and
     * returns a future; when that completes the transaction commits, when it fails it aborts. The
     * returned future completes with [block]'s result once committed, or exceptionally with what
     * failed (Kafka's exception, or the block's). Never blocks the calling thread; [block] runs on a
     * thread of `Dispatchers.Default`.
     *
     * [close] completes the future too: a transaction whose block's future has not completed when the
     * close times out is aborted, and its future cancelled.
     *
     * @throws IllegalStateException when this producer is closed, or the call is made inside a
     *   transaction block of this producer (a nested transaction would wait forever for the open one).
     */
    public fun <T> transactionAsync(block: java.util.function.Function<KTransaction<K, V>, CompletableFuture<T>>): CompletableFuture<T>

    /**
     * Runs [block] in a Kafka transaction and returns its result, blocking the calling thread: the
     * form a Java service writes, like Spring's `KafkaTemplate.executeInTransaction`.
     * ```java
     * Receipt receipt = producer.inTransaction(tx -> {
     *     tx.sendAsync("payments", id, payment);
     *     tx.sendAsync("ledger", id, entry);
     *     return new Receipt(id);
     * });
     * ```
     * [block] runs on the calling thread and sends through the [KTransaction] it gets; when it returns,
     * the transaction commits (every record it sent is written first) and [inTransaction] returns its
     * result. When [block] throws, or a record fails, the transaction aborts and the exception is
     * thrown: Kafka's own (`KafkaException` and its subclasses) or [block]'s. Everything else is as
     * [transaction]: one transaction at a time, `initTransactions` on first use, a fatal error closes
     * the producer.
     *
     * Blocks the calling thread until the commit or abort completes (bounded by `max.block.ms` per
     * Kafka call, and `delivery.timeout.ms` for the records). From a coroutine, use [transaction].
     *
     * @throws org.apache.kafka.common.KafkaException Kafka's exception when the transaction fails.
     * @throws IllegalStateException when this producer is closed, or the call is made inside a
     *   transaction block of this producer (a nested transaction would wait forever for the open one).
     */
    public fun <T> inTransaction(block: java.util.function.Function<KTransaction<K, V>, T>): T

    /**
     * A snapshot of this producer's key metrics: counts of records acknowledged, failed and in
     * flight through this [KProducer], and the Kafka client's rates and latencies (absent for
     * producers without client metrics, such as mocks).
     */
    public fun metrics(): ProducerMetrics

    /**
     * Sends every buffered record now and suspends until all records handed over before this call
     * have completed (successfully or not): records waiting in lanes reached Kafka or failed, Kafka
     * completed the rest, and their futures, `onError` handlers and listeners have run.
     *
     * Suspends; the blocking `Producer.flush` runs on `Dispatchers.IO`. Cancelling stops the waiting.
     *
     * @throws IllegalStateException when this producer is closed.
     */
    public suspend fun flush()

    /** Java form of [flush]: the future completes when every earlier record has completed. */
    public fun flushAsync(): CompletableFuture<Void?>

    /**
     * Closes the producer: new sends fail at once; records already accepted get up to [timeout] to
     * reach Kafka and complete, and the ones still pending then fail: records still waiting in a lane
     * with a `KafkaException` that says the producer closed, records in Kafka's buffer with Kafka's
     * "Producer is closed forcefully". Before it returns, every accepted record has ended: suspended
     * callers are resumed, futures completed (also those of [sendAllAsync], [flushAsync] and
     * [transactionAsync]) and `onError` handlers called. Idempotent.
     *
     * Blocks the calling thread for up to [timeout], plus up to 2 seconds for outcomes still being
     * delivered (a slow handler or future stage; a warning is logged if they take longer).
     */
    @JvmSynthetic
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
        ): KProducerBuilder<K, V> = KProducerBuilder(newConfig(keySerializer, valueSerializer))

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

        /**
         * Wraps an existing [producer] with the default options; see [asKProducer]. Closing the
         * [KProducer] closes [producer].
         */
        @JvmStatic
        public fun <K, V> wrap(producer: Producer<K, V>): KProducer<K, V> = wrap(producer, Wording.JAVA) {}

        /**
         * Wraps an existing [producer] with the options [configure] sets, such as the handler of
         * fire-and-forget failures and listeners:
         * `KProducer.wrap(producer, options -> options.onError((record, e) -> ...))`; see [asKProducer].
         *
         * @throws KProducerConfigException when an option is invalid, listing every problem at once.
         */
        @JvmStatic
        public fun <K, V> wrap(
            producer: Producer<K, V>,
            configure: Consumer<KProducerOptions<K, V>>,
        ): KProducer<K, V> = wrap(producer, Wording.JAVA) { configure.accept(this) }
    }
}
