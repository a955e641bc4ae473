package io.github.kproducer.testkit

import org.apache.kafka.clients.producer.Partitioner
import org.apache.kafka.clients.producer.ProducerInterceptor
import java.util.function.LongSupplier

/**
 * Configuration block of a [MockKafkaProducer]: its topics and their partition counts, how sends
 * complete, and the settings of the real client that change what a send does.
 *
 * Not thread-safe: configure it on one thread.
 */
@TestKitDsl
public class MockKafkaProducerConfig internal constructor() {
    internal val topics = LinkedHashMap<String, Int>()

    /**
     * How sends complete: [Completion.AUTOMATIC] (the default) acknowledges each record right after
     * `send`, on the producer's callback thread; [Completion.MANUAL] leaves them pending until the
     * test calls [MockKafkaProducer.completeNext], [MockKafkaProducer.completeAll] or
     * [MockKafkaProducer.failNext].
     */
    @set:JvmSynthetic
    public var completion: Completion = Completion.AUTOMATIC

    /** Whether a send to an undeclared topic creates it with [defaultPartitions] (as `auto.create.topics.enable`). Default `true`. */
    @set:JvmSynthetic
    public var autoCreateTopics: Boolean = true

    /** Partitions of automatically created topics. Default 1. */
    @set:JvmSynthetic
    public var defaultPartitions: Int = 1

    /**
     * A custom partitioner, called as the real client calls it (with a `Cluster` of the declared
     * topics); `null` (the default) uses Kafka's default: murmur2 of the key bytes, or a sticky
     * partition for keyless records.
     */
    @set:JvmSynthetic
    public var partitioner: Partitioner? = null

    /**
     * Interceptors, called as the real client calls them: `onSend` (in order, each seeing the
     * previous one's record) before serialization, `onAcknowledgement` before each callback of a
     * completed record, and after the callback of an error found inside `send`. An exception they
     * throw is logged and ignored, as in the client.
     */
    public val interceptors: MutableList<ProducerInterceptor<*, *>> = ArrayList()

    /** Makes the producer transactional: `initTransactions()` and the other transactional methods work. */
    @set:JvmSynthetic
    public var transactionalId: String? = null

    /** `max.request.size`: a larger record fails with `RecordTooLargeException`, as in the real client. Default 1 MiB. */
    @set:JvmSynthetic
    public var maxRequestSize: Int = 1024 * 1024

    /** How many keyless records go to one sticky partition before it switches, like a full batch in the real client. Default 100. */
    @set:JvmSynthetic
    public var keylessBatchRecords: Int = 100

    /** Seed of the sticky-partition choice for keyless records, for repeatable tests. */
    @set:JvmSynthetic
    public var seed: Long = 0

    /** Timestamp of records sent without one (milliseconds since the epoch). Default the system clock. */
    @set:JvmSynthetic
    public var clock: LongSupplier = LongSupplier { System.currentTimeMillis() }

    /** Declares [name] with [partitions] partitions and returns this configuration. */
    public fun topic(
        name: String,
        partitions: Int,
    ): MockKafkaProducerConfig = apply { topics[name] = partitions }

    /** Declares [name] with one partition and returns this configuration. */
    public fun topic(name: String): MockKafkaProducerConfig = topic(name, 1)

    /** Adds [interceptor] to [interceptors] and returns this configuration. */
    public fun interceptor(interceptor: ProducerInterceptor<*, *>): MockKafkaProducerConfig = apply { interceptors += interceptor }

    /** Sets [completion] and returns this configuration (the Java form of `completion = ...`). */
    public fun completion(completion: Completion): MockKafkaProducerConfig = apply { this.completion = completion }

    /** Sets [autoCreateTopics] and returns this configuration (the Java form of `autoCreateTopics = ...`). */
    public fun autoCreateTopics(enabled: Boolean): MockKafkaProducerConfig = apply { this.autoCreateTopics = enabled }

    /** Sets [defaultPartitions] and returns this configuration (the Java form of `defaultPartitions = ...`). */
    public fun defaultPartitions(partitions: Int): MockKafkaProducerConfig = apply { this.defaultPartitions = partitions }

    /** Sets [partitioner] and returns this configuration (the Java form of `partitioner = ...`). */
    public fun partitioner(partitioner: Partitioner?): MockKafkaProducerConfig = apply { this.partitioner = partitioner }

    /** Sets [transactionalId] and returns this configuration (the Java form of `transactionalId = ...`). */
    public fun transactionalId(transactionalId: String?): MockKafkaProducerConfig = apply { this.transactionalId = transactionalId }

    /** Sets [maxRequestSize] and returns this configuration (the Java form of `maxRequestSize = ...`). */
    public fun maxRequestSize(bytes: Int): MockKafkaProducerConfig = apply { this.maxRequestSize = bytes }

    /** Sets [keylessBatchRecords] and returns this configuration (the Java form of `keylessBatchRecords = ...`). */
    public fun keylessBatchRecords(records: Int): MockKafkaProducerConfig = apply { this.keylessBatchRecords = records }

    /** Sets [seed] and returns this configuration (the Java form of `seed = ...`). */
    public fun seed(seed: Long): MockKafkaProducerConfig = apply { this.seed = seed }

    /** Sets [clock] and returns this configuration (the Java form of `clock = ...`). */
    public fun clock(clock: LongSupplier): MockKafkaProducerConfig = apply { this.clock = clock }

    internal fun validate() {
        val problems = mutableListOf<String>()
        topics.filterValues { it < 1 }.forEach { (name, count) -> problems += "topic '$name' needs at least 1 partition, was $count" }
        if (defaultPartitions < 1) problems += "defaultPartitions must be at least 1, was $defaultPartitions"
        if (maxRequestSize < 1) problems += "maxRequestSize must be positive, was $maxRequestSize"
        if (keylessBatchRecords < 1) problems += "keylessBatchRecords must be at least 1, was $keylessBatchRecords"
        require(problems.isEmpty()) { "Invalid MockKafkaProducer configuration:\n" + problems.joinToString("\n") { "  - $it" } }
    }

    /** How the sends of a [MockKafkaProducer] complete. */
    public enum class Completion {
        /** Each record is acknowledged (or fails by a script) right after `send`, on the callback thread. */
        AUTOMATIC,

        /** Records wait until the test completes or fails them. */
        MANUAL,
    }
}
