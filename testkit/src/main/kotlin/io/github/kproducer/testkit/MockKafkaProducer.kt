package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.DefaultMockKafkaProducer
import io.github.kproducer.testkit.internal.builtInSerializer
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.serialization.Serializer
import java.util.function.Consumer
import java.util.function.Predicate
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * A Kafka [Producer] for tests that behaves like the real client without a broker.
 *
 * - **Partitions as in production**: topics have partition counts; keyed records go where Kafka's
 *   default partitioner (murmur2 of the serialized key) or your custom partitioner puts them,
 *   keyless records go to a sticky partition, explicit partitions are respected and checked: one
 *   beyond the topic's partition count fails the send with Kafka's `TimeoutException` ("Partition 6
 *   of topic orders with partition count 6 is not present in metadata after 0 ms.") through the
 *   callback and future, as the client does once `max.block.ms` is over; the mock does not wait.
 * - **Serializers run**: a serializer that throws makes `send` throw, as the client does.
 * - **Completion**: automatic, or manual ([completeNext], [completeAll], [failNext]); scripted
 *   failures ([failNextSends], [failWhen], [failOnAttempt]) with Kafka's own exceptions.
 * - **Callbacks like the client's**: run on a separate callback thread (named like Kafka's I/O
 *   thread), one at a time in completion order, before the send's future completes with the same
 *   result (interceptors' `onAcknowledgement`, then the callback, then the future, as in Kafka's
 *   `ProducerBatch`): once `get()` returns, the callback has run. Errors found inside `send`
 *   (unknown topic or partition, record too large, fenced producer) call back on the caller's
 *   thread before `send` returns, and then the interceptors, exactly as the real client does.
 * - **Transactions**: `initTransactions`, `beginTransaction`, `commitTransaction`,
 *   `abortTransaction`, `sendOffsetsToTransaction`, and [fence] to simulate a zombie. As in Kafka,
 *   `initTransactions` runs once: a second call throws `IllegalStateException` ("Invalid transition
 *   attempted from state READY to state INITIALIZING"), and `sendOffsetsToTransaction` with empty
 *   offsets does nothing (in any state, fenced included; only a closed producer refuses it).
 * - **History**: every record handed to `send`, with the partition and timestamp it got.
 *
 * Thread-safe: any number of threads or coroutines may send at once.
 *
 * **flush and close**: `flush` waits until every record sent before it has completed (in manual
 * mode it completes them first, so it never waits forever); inside a callback it throws Kafka's
 * `KafkaException` ("KafkaProducer.flush() invocation inside a callback is not permitted because it
 * may lead to deadlock."). `close` fails records still pending
 * with `KafkaException("Producer is closed forcefully.")`, delivers their callbacks, and stops the
 * callback thread; later sends, transactional calls and [fence] throw `IllegalStateException`
 * ("Cannot perform operation after producer has been closed"), as the client's do.
 *
 * Create one with the `MockKafkaProducer(...)` functions or [MockKafkaProducer.create]; implementing
 * this interface yourself needs an opt-in to [InternalForInheritanceTestKitApi], since it may gain
 * members in later releases.
 */
@SubclassOptInRequired(InternalForInheritanceTestKitApi::class)
public interface MockKafkaProducer<K, V> : Producer<K, V> {
    /** Every record handed to `send`, in call order, with the partition and timestamp it was given. */
    public fun history(): List<ProducerRecord<K, V>>

    /** The records acknowledged successfully, in completion order. */
    public fun acknowledged(): List<ProducerRecord<K, V>>

    /** The records whose send failed, in completion order. */
    public fun failed(): List<ProducerRecord<K, V>>

    /** The records sent but not completed yet (manual completion), oldest first. */
    public fun pending(): List<ProducerRecord<K, V>>

    /** The records of committed transactions. */
    public fun committed(): List<ProducerRecord<K, V>>

    /** The records of aborted transactions (sent, but invisible to `read_committed` consumers). */
    public fun aborted(): List<ProducerRecord<K, V>>

    /** The consumer offsets committed through `sendOffsetsToTransaction` in committed transactions, by group id. */
    public fun committedOffsets(): Map<String, Map<TopicPartition, OffsetAndMetadata>>

    /** Whether `close` was called. */
    public val isClosed: Boolean

    /** Whether a transaction is open (between `beginTransaction` and its commit or abort). */
    public val isInTransaction: Boolean

    /**
     * Completes the oldest pending record: successfully, unless a failure script matches it. Returns
     * `false` when nothing is pending. Its callback has run when this returns.
     */
    public fun completeNext(): Boolean

    /** Completes every pending record, oldest first (scripts apply); returns how many. */
    public fun completeAll(): Int

    /** Fails the oldest pending record with [exception]; returns `false` when nothing is pending. */
    public fun failNext(exception: Exception): Boolean

    /** Makes the next [count] records that complete fail with [exception]. */
    public fun failNextSends(
        count: Int,
        exception: Exception,
    )

    /** Makes every record matching [predicate] fail with [exception] when it completes, until [clearFailures]. */
    public fun failWhen(
        exception: Exception,
        predicate: Predicate<ProducerRecord<K, V>>,
    )

    /** Makes the [attempt]th call to `send` (counting from 1 over the producer's life) fail with [exception]. */
    public fun failOnAttempt(
        attempt: Int,
        exception: Exception,
    )

    /** Removes every failure script. */
    public fun clearFailures()

    /**
     * Simulates another producer with the same `transactional.id` taking over: from now on every
     * transactional call and send fails with `ProducerFencedException`, as for a zombie instance
     * whose client has learned it is fenced. Transactional calls throw it; `send` does not throw it
     * but, like KafkaProducer, calls the callback with it on the caller's thread and returns a failed
     * future (the record is in [history] and [failed]). `sendOffsetsToTransaction` with empty
     * offsets still does nothing, as in Kafka.
     *
     * @throws IllegalStateException when the producer is not transactional, is closed, or has not
     *   called `initTransactions()` yet (only a producer with a producer id can be fenced).
     */
    public fun fence()

    /** Forgets the history (sent, acknowledged, failed, committed and aborted records) and unread [awaitRecord] records. */
    public fun clearHistory()

    /**
     * Suspends until a record is sent that no earlier [awaitRecord] returned, and returns it (in send
     * order), like Turbine's `awaitItem`. Waits in real time, also under a test dispatcher.
     *
     * @throws AssertionError when none is sent within [timeout].
     */
    @JvmSynthetic
    public suspend fun awaitRecord(timeout: Duration = 3.seconds): ProducerRecord<K, V>

    /**
     * Java form of [awaitRecord]: blocks the calling thread until a record is sent that no earlier
     * `awaitRecord` returned, and returns it (in send order):
     * `ProducerRecord<String, String> sent = producer.awaitRecord(Duration.ofSeconds(3));`.
     * From a coroutine, use the suspending form.
     *
     * @throws AssertionError when none is sent within [timeout].
     */
    public fun awaitRecord(timeout: java.time.Duration): ProducerRecord<K, V>

    /**
     * Asserts that every sent record has been returned by [awaitRecord].
     *
     * @throws AssertionError listing the unread records.
     */
    public fun expectNoRecords()

    /** Java entry points. */
    public companion object {
        /** Creates a mock with explicit serializers, configured by [configure]. */
        @JvmStatic
        public fun <K, V> create(
            keySerializer: Serializer<K>,
            valueSerializer: Serializer<V>,
            configure: Consumer<MockKafkaProducerConfig>,
        ): MockKafkaProducer<K, V> = MockKafkaProducer(keySerializer, valueSerializer) { configure.accept(this) }

        /** Creates a mock with explicit serializers and the default configuration. */
        @JvmStatic
        public fun <K, V> create(
            keySerializer: Serializer<K>,
            valueSerializer: Serializer<V>,
        ): MockKafkaProducer<K, V> = MockKafkaProducer(keySerializer, valueSerializer)

        /**
         * Creates a mock whose serializers are Kafka's built-in ones for [keyType] and [valueType]
         * (String, byte[], Integer, Long, Short, Double, Float, UUID, ByteBuffer, Bytes), configured by
         * [configure]: `MockKafkaProducer.create(String.class, String.class, c -> c.topic("orders", 3))`.
         *
         * @throws IllegalArgumentException when a type has no built-in serializer (pass serializers
         *   instead) or the configuration is invalid.
         */
        @JvmStatic
        public fun <K, V> create(
            keyType: Class<K>,
            valueType: Class<V>,
            configure: Consumer<MockKafkaProducerConfig>,
        ): MockKafkaProducer<K, V> = MockKafkaProducer(builtInSerializer(keyType), builtInSerializer(valueType)) { configure.accept(this) }

        /** Creates a mock with Kafka's built-in serializers for [keyType] and [valueType] and the default configuration; see the other `create`. */
        @JvmStatic
        public fun <K, V> create(
            keyType: Class<K>,
            valueType: Class<V>,
        ): MockKafkaProducer<K, V> = create(keyType, valueType) { }
    }
}

/**
 * Creates a [MockKafkaProducer] with explicit serializers:
 * ```
 * val producer = MockKafkaProducer(StringSerializer(), StringSerializer()) { topic("orders", partitions = 3) }
 * ```
 *
 * @throws IllegalArgumentException when the configuration is invalid.
 */
@JvmSynthetic
public fun <K, V> MockKafkaProducer(
    keySerializer: Serializer<K>,
    valueSerializer: Serializer<V>,
    configure: MockKafkaProducerConfig.() -> Unit = {},
): MockKafkaProducer<K, V> {
    val config = MockKafkaProducerConfig().apply(configure)
    config.validate()
    return DefaultMockKafkaProducer(keySerializer, valueSerializer, config)
}

/**
 * Creates a [MockKafkaProducer] whose serializers are Kafka's built-in ones for [K] and [V]
 * (String, ByteArray, Int, Long, Short, Double, Float, UUID, ByteBuffer, Bytes):
 * ```
 * val producer = MockKafkaProducer<String, String> { topic("orders", partitions = 3) }
 * ```
 *
 * @throws IllegalArgumentException when a type has no built-in serializer (use the other factory)
 *   or the configuration is invalid.
 */
public inline fun <reified K, reified V> MockKafkaProducer(noinline configure: MockKafkaProducerConfig.() -> Unit = {}): MockKafkaProducer<K, V> =
    MockKafkaProducer.create(K::class.java, V::class.java, Consumer { it.configure() })
