package io.github.kproducer.dsl.internal.send

import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.Partitioner
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner
import org.apache.kafka.common.Cluster
import org.apache.kafka.common.header.internals.RecordHeaders
import org.apache.kafka.common.serialization.Serializer
import org.slf4j.LoggerFactory
import java.lang.reflect.Field
import java.util.concurrent.atomic.AtomicInteger

/**
 * The parts of a `KafkaProducer` that [FirstWriteGuard] needs and Kafka does not expose: how the
 * client picks a record's partition (its serializers, its partitioner, `partitioner.ignore.keys`),
 * its metadata, a way to make it send what it buffers now, and its producer id. Read once, by
 * reflection, from fields that have had these names since Kafka 3.x; [of] returns `null` when one is
 * missing (another client version, a decorator), and the guard is then off.
 */
internal class ProducerInternals<K, V> private constructor(
    private val keySerializer: Serializer<K>,
    private val valueSerializer: Serializer<V>,
    /** The configured `partitioner.class`, or `null` for Kafka's built-in partitioning. */
    private val partitioner: Partitioner?,
    private val ignoreKeys: Boolean,
    private val metadata: org.apache.kafka.clients.Metadata,
    /** The accumulator's count of flushes in progress: while above 0, every batch is sent at once, linger or not. */
    private val flushes: AtomicInteger,
    private val sender: org.apache.kafka.clients.producer.internals.Sender,
    private val transactionManager: Any,
    private val producerIdAndEpoch: Field,
) {
    /** Whether a custom partitioner picks partitions; the guard must then call it itself, once per record. */
    val customPartitioner: Boolean get() = partitioner != null

    /**
     * The partition Kafka will write [record] to, computed as `KafkaProducer.send` does for a topic of
     * [count] partitions; [KAFKA_PICKS] when Kafka's built-in partitioner picks one for a record
     * without a key (or with keys ignored). The serializers see a copy of the headers, so that a
     * serializer that writes headers does not write them twice. [UNKNOWN] when a serializer or the
     * partitioner throws, or the partitioner answers a partition the topic lacks: Kafka's own call then
     * throws the same to the caller, which the record must reach as it is.
     */
    fun partitionOf(
        record: ProducerRecord<K, V>,
        count: Int,
    ): Int {
        record.partition()?.let { return it }
        val key = record.key()
        if (partitioner == null && (key == null || ignoreKeys)) return KAFKA_PICKS
        return try {
            val headers = RecordHeaders(record.headers().toArray())
            val keyBytes = keySerializer.serialize(record.topic(), headers, key)
            if (partitioner == null) {
                if (keyBytes == null) KAFKA_PICKS else BuiltInPartitioner.partitionForKey(keyBytes, count)
            } else {
                val valueBytes = valueSerializer.serialize(record.topic(), headers, record.value())
                partitioner.partition(record.topic(), key, keyBytes, record.value(), valueBytes, cluster()).takeIf { it in 0 until count } ?: UNKNOWN
            }
        } catch (e: Exception) {
            log.debug("kproducer: could not compute the partition of a record for topic {} ahead of Kafka: {}", record.topic(), e.toString())
            UNKNOWN
        }
    }

    /** The client's current view of the cluster. */
    fun cluster(): Cluster = metadata.fetch()

    /** Makes the client send every batch it holds now instead of after `linger.ms`, until [endSendNow]. */
    fun beginSendNow() {
        flushes.incrementAndGet()
        sender.wakeup()
    }

    /** Ends one [beginSendNow]. */
    fun endSendNow() {
        flushes.decrementAndGet()
    }

    /** The client's producer id, or -1 while it has none (or it cannot be read). */
    fun producerId(): Long =
        try {
            val current = producerIdAndEpoch.get(transactionManager)
            if (current == null) -1 else current.javaClass.getField("producerId").getLong(current)
        } catch (e: ReflectiveOperationException) {
            -1
        }

    companion object {
        /** [partitionOf]: Kafka's built-in partitioner places the record. */
        const val KAFKA_PICKS: Int = -1

        /** [partitionOf]: the partition cannot be computed ahead; Kafka's own call will fail the record. */
        const val UNKNOWN: Int = -2

        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!

        /**
         * The internals of [producer] when it is an idempotent `KafkaProducer` whose fields can be read;
         * `null` otherwise (not a `KafkaProducer`, idempotence off, or fields Kafka renamed).
         */
        fun <K, V> of(producer: Any): ProducerInternals<K, V>? {
            if (producer !is KafkaProducer<*, *>) return null
            return try {
                val type = KafkaProducer::class.java
                val transactionManager = ClientProbe.field(type, "transactionManager").get(producer) ?: return null
                val accumulator = ClientProbe.field(type, "accumulator").get(producer)
                val sender = ClientProbe.field(type, "sender").get(producer) as org.apache.kafka.clients.producer.internals.Sender

                @Suppress("UNCHECKED_CAST")
                ProducerInternals(
                    keySerializer = plugin(producer, "keySerializerPlugin") as Serializer<K>,
                    valueSerializer = plugin(producer, "valueSerializerPlugin") as Serializer<V>,
                    partitioner = plugin(producer, "partitionerPlugin") as Partitioner?,
                    ignoreKeys = ClientProbe.field(type, "partitionerIgnoreKeys").getBoolean(producer),
                    metadata = ClientProbe.field(type, "metadata").get(producer) as org.apache.kafka.clients.Metadata,
                    flushes = ClientProbe.field(accumulator.javaClass, "flushesInProgress").get(accumulator) as AtomicInteger,
                    sender = sender,
                    transactionManager = transactionManager,
                    producerIdAndEpoch = ClientProbe.field(transactionManager.javaClass, "producerIdAndEpoch"),
                )
            } catch (e: Exception) {
                log.warn(
                    "kproducer cannot read this Kafka client's partitioning state ({}), so the guard for partitions this producer has " +
                        "not written to yet (KAFKA-15591) is off for it",
                    e.toString(),
                )
                null
            }
        }

        /** What the `Plugin` in [name] wraps, or `null` when the field holds none. */
        private fun plugin(
            producer: KafkaProducer<*, *>,
            name: String,
        ): Any? {
            val plugin = ClientProbe.field(KafkaProducer::class.java, name).get(producer) ?: return null
            return (plugin as java.util.function.Supplier<*>).get()
        }
    }
}
