package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.BoundedCloseAdmin
import io.github.kproducer.testkit.internal.DEFAULT_READ_TIMEOUT
import io.github.kproducer.testkit.internal.RecordReader
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.serialization.Deserializer
import org.apache.kafka.common.serialization.StringDeserializer
import java.util.function.Predicate
import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * A Kafka cluster that a test produces to and reads back from: [EmbeddedKafka] in this JVM, or a
 * broker in a container. Tests written against this interface switch backends by changing the line
 * that creates the cluster.
 *
 * Every method blocks the calling thread (they talk to the brokers); in a coroutine that shares its
 * dispatcher with work that must go on, call them inside `withContext(Dispatchers.IO)`.
 * Implementations are thread-safe.
 */
public interface KafkaCluster : AutoCloseable {
    /** The `bootstrap.servers` value that reaches this cluster, such as `127.0.0.1:40123`. */
    public val bootstrapServers: String

    /**
     * The client properties that connect to this cluster (at least `bootstrap.servers`; security
     * settings when the cluster requires them), to pass to a producer, consumer or admin client.
     */
    public fun connectionProperties(): Map<String, Any>

    /**
     * Creates [name] with [partitions] partitions, [replicationFactor] replicas and topic [configs]
     * (such as `max.message.bytes`), and returns once every partition serves produce requests: each
     * has a leader that answers as leader, and every replica is in sync and has its log. The first
     * produce to the new topic then meets no `NOT_LEADER_OR_FOLLOWER` (see testkit/README.md for why
     * that matters to idempotent producers).
     *
     * Blocks for at most 30 seconds.
     *
     * @throws org.apache.kafka.common.errors.TopicExistsException when the topic exists.
     * @throws AssertionError when the cluster does not create the topic, or its partitions do not
     *   serve, within 30 seconds; the message says what it saw last.
     * @throws org.apache.kafka.common.errors.InvalidReplicationFactorException when there are fewer brokers than replicas.
     */
    public fun createTopic(
        name: String,
        partitions: Int = 1,
        replicationFactor: Int = 1,
        configs: Map<String, String> = emptyMap(),
    )

    /** Creates [name] with one partition and one replica; see the four-argument form. */
    public fun createTopic(name: String): Unit = createTopic(name, 1, 1, emptyMap())

    /** Creates [name] with [partitions] partitions and one replica; see the four-argument form. */
    public fun createTopic(
        name: String,
        partitions: Int,
    ): Unit = createTopic(name, partitions, 1, emptyMap())

    /** Creates [name] with [partitions] partitions and [replicationFactor] replicas; see the four-argument form. */
    public fun createTopic(
        name: String,
        partitions: Int,
        replicationFactor: Int,
    ): Unit = createTopic(name, partitions, replicationFactor, emptyMap())

    /**
     * Returns a new admin client connected to this cluster (with [connectionProperties]); the caller closes it.
     *
     * Unlike Kafka's, its `close()` waits at most 10 seconds for calls still running, then aborts them
     * with Kafka's `TimeoutException`: a test's `admin().use { }` (Java: try-with-resources) always ends.
     */
    public fun admin(): Admin = BoundedCloseAdmin(connectionProperties())

    // Reads. One argument order everywhere: topic, count, deserializers, timeout, isolation level;
    // a shorter form leaves out trailing arguments, taking a 30-second timeout and READ_UNCOMMITTED.
    // The java.time.Duration forms are members (Java sees them; Kotlin uses them too); the
    // kotlin.time.Duration forms are hidden from Java.

    /**
     * Reads [topic] from the beginning of every partition, without a consumer group, until [until]
     * holds for the records read so far, and returns them (each partition's records in offset order).
     *
     * Blocks for at most [timeout] (and the consumer's close, at most a second): every Kafka call inside
     * gets the time that is left, and timeouts and retriable errors (a slow machine, a stopped broker)
     * are tried again until then. [isolationLevel] `READ_COMMITTED` hides records of open and aborted
     * transactions.
     *
     * @throws AssertionError when [until] does not hold within [timeout]; the message names the call,
     *   says how many records each partition gave and the cluster's last error. Also when Kafka fails
     *   in a way retrying cannot fix (a deserializer, authorization), naming Kafka's exception.
     */
    @JvmSynthetic
    public fun <K, V> read(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration = DEFAULT_READ_TIMEOUT,
        isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
        until: (List<ConsumerRecord<K, V>>) -> Boolean,
    ): List<ConsumerRecord<K, V>> = RecordReader.read(connectionProperties(), topic, keyDeserializer, valueDeserializer, timeout, isolationLevel, until)

    /**
     * Reads [topic] from the beginning until [until] holds for the records read so far, for at most
     * [timeout], and returns them; see the Kotlin form for the retries and the error.
     *
     * Blocks the calling thread for at most [timeout] (plus the consumer's close, at most a second).
     *
     * @throws AssertionError when [until] does not hold within [timeout].
     */
    public fun <K, V> read(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: java.time.Duration,
        isolationLevel: IsolationLevel,
        until: Predicate<List<ConsumerRecord<K, V>>>,
    ): List<ConsumerRecord<K, V>> = read(topic, keyDeserializer, valueDeserializer, timeout.toKotlinDuration(), isolationLevel) { until.test(it) }

    /** Reads [topic] until [until] holds, for at most [timeout]; see the six-argument form. */
    public fun <K, V> read(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: java.time.Duration,
        until: Predicate<List<ConsumerRecord<K, V>>>,
    ): List<ConsumerRecord<K, V>> = read(topic, keyDeserializer, valueDeserializer, timeout, IsolationLevel.READ_UNCOMMITTED, until)

    /**
     * Reads [topic] from the beginning until at least [count] records arrived, and returns every record
     * read by then (possibly more than [count]; each partition's records in offset order).
     *
     * Blocks the calling thread for at most [timeout]. `READ_COMMITTED` leaves out open and aborted transactions.
     *
     * @throws AssertionError when fewer than [count] records arrive within [timeout].
     * @throws IllegalArgumentException when [count] is negative.
     */
    public fun <K, V> read(
        topic: String,
        count: Int,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: java.time.Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> {
        require(count >= 0) { "count must not be negative, was $count" }
        return read(topic, keyDeserializer, valueDeserializer, timeout.toKotlinDuration(), isolationLevel) { it.size >= count }
    }

    /** Reads at least [count] records of [topic] within [timeout]; see the six-argument form. */
    public fun <K, V> read(
        topic: String,
        count: Int,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: java.time.Duration,
    ): List<ConsumerRecord<K, V>> = read(topic, count, keyDeserializer, valueDeserializer, timeout, IsolationLevel.READ_UNCOMMITTED)

    /** Reads at least [count] records of [topic] with [isolationLevel] within 30 seconds; see the six-argument form. */
    public fun <K, V> read(
        topic: String,
        count: Int,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> = read(topic, count, keyDeserializer, valueDeserializer, DEFAULT_READ_TIMEOUT.toJavaDuration(), isolationLevel)

    /** Reads at least [count] records of [topic] within 30 seconds; see the six-argument form. */
    public fun <K, V> read(
        topic: String,
        count: Int,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
    ): List<ConsumerRecord<K, V>> =
        read(topic, count, keyDeserializer, valueDeserializer, DEFAULT_READ_TIMEOUT.toJavaDuration(), IsolationLevel.READ_UNCOMMITTED)

    /**
     * Reads [topic] with String keys and values until at least [count] records arrived, and returns
     * every record read by then; see the six-argument `read`.
     *
     * Blocks the calling thread for at most [timeout].
     *
     * @throws AssertionError when fewer than [count] records arrive within [timeout].
     */
    public fun readStrings(
        topic: String,
        count: Int,
        timeout: java.time.Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<String?, String?>> = read(topic, count, StringDeserializer(), StringDeserializer(), timeout, isolationLevel)

    /** Reads at least [count] String records of [topic] within [timeout]; see the four-argument form. */
    public fun readStrings(
        topic: String,
        count: Int,
        timeout: java.time.Duration,
    ): List<ConsumerRecord<String?, String?>> = readStrings(topic, count, timeout, IsolationLevel.READ_UNCOMMITTED)

    /** Reads at least [count] String records of [topic] with [isolationLevel] within 30 seconds; see the four-argument form. */
    public fun readStrings(
        topic: String,
        count: Int,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<String?, String?>> = readStrings(topic, count, DEFAULT_READ_TIMEOUT.toJavaDuration(), isolationLevel)

    /** Reads at least [count] String records of [topic] within 30 seconds; see the four-argument form. */
    public fun readStrings(
        topic: String,
        count: Int,
    ): List<ConsumerRecord<String?, String?>> = readStrings(topic, count, DEFAULT_READ_TIMEOUT.toJavaDuration(), IsolationLevel.READ_UNCOMMITTED)

    /**
     * Reads [topic] from the beginning up to its current end, without a consumer group, and returns
     * every record (each partition's in offset order). With `READ_COMMITTED` the end is the last
     * stable offset: records of open and aborted transactions are left out. Retries as `read` does.
     *
     * Blocks for at most [timeout].
     *
     * @throws AssertionError when the end is not reached within [timeout], when the brokers do not know
     *   the topic for a second, or when Kafka fails in a way retrying cannot fix; the message names the call.
     */
    @JvmSynthetic
    public fun <K, V> readAll(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration = DEFAULT_READ_TIMEOUT,
        isolationLevel: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
    ): List<ConsumerRecord<K, V>> = RecordReader.readAll(connectionProperties(), topic, keyDeserializer, valueDeserializer, timeout, isolationLevel)

    /**
     * Reads every record of [topic] up to its current end; see the Kotlin form for what the end is.
     *
     * Blocks the calling thread for at most [timeout].
     *
     * @throws AssertionError when the end is not reached within [timeout], or the brokers do not know the topic.
     */
    public fun <K, V> readAll(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: java.time.Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> = readAll(topic, keyDeserializer, valueDeserializer, timeout.toKotlinDuration(), isolationLevel)

    /** Reads every record of [topic] up to its current end within [timeout]; see the five-argument form. */
    public fun <K, V> readAll(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: java.time.Duration,
    ): List<ConsumerRecord<K, V>> = readAll(topic, keyDeserializer, valueDeserializer, timeout, IsolationLevel.READ_UNCOMMITTED)

    /** Reads every record of [topic] up to its current end with [isolationLevel] within 30 seconds; see the five-argument form. */
    public fun <K, V> readAll(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> = readAll(topic, keyDeserializer, valueDeserializer, DEFAULT_READ_TIMEOUT.toJavaDuration(), isolationLevel)

    /** Reads every record of [topic] up to its current end within 30 seconds; see the five-argument form. */
    public fun <K, V> readAll(
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
    ): List<ConsumerRecord<K, V>> = readAll(topic, keyDeserializer, valueDeserializer, DEFAULT_READ_TIMEOUT.toJavaDuration(), IsolationLevel.READ_UNCOMMITTED)

    /** Reads every String record of [topic] up to its current end within [timeout]; see `readAll`. */
    public fun readAllStrings(
        topic: String,
        timeout: java.time.Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<String?, String?>> = readAll(topic, StringDeserializer(), StringDeserializer(), timeout, isolationLevel)

    /** Reads every String record of [topic] up to its current end within [timeout]; see `readAll`. */
    public fun readAllStrings(
        topic: String,
        timeout: java.time.Duration,
    ): List<ConsumerRecord<String?, String?>> = readAllStrings(topic, timeout, IsolationLevel.READ_UNCOMMITTED)

    /** Reads every String record of [topic] up to its current end with [isolationLevel] within 30 seconds; see `readAll`. */
    public fun readAllStrings(
        topic: String,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<String?, String?>> = readAllStrings(topic, DEFAULT_READ_TIMEOUT.toJavaDuration(), isolationLevel)

    /** Reads every String record of [topic] up to its current end within 30 seconds; see `readAll`. */
    public fun readAllStrings(topic: String): List<ConsumerRecord<String?, String?>> =
        readAllStrings(topic, DEFAULT_READ_TIMEOUT.toJavaDuration(), IsolationLevel.READ_UNCOMMITTED)
}
