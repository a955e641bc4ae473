@file:JvmName("ProducerRecords")

package io.github.kproducer.dsl

import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.header.internals.RecordHeaders
import java.time.Instant
import java.util.UUID

/**
 * Builds one [ProducerRecord] for a topic: `key`, `value`, optional `partition` and `timestamp`,
 * and headers. Used by `send(topic) { ... }` and [producerRecord].
 *
 * `value` must be assigned, even to `null` (a tombstone), so that a forgotten value is an error
 * rather than a silent delete. Not thread-safe.
 */
@KProducerDsl
public class RecordBuilder<K, V> internal constructor(
    /** The topic the record goes to. */
    public val topic: String,
) {
    private val headers = RecordHeaders()
    private var valueAssigned = false

    /** The key; `null` (the default) lets the partitioner spread records. */
    public var key: K? = null

    /** The value; must be assigned. `null` is a tombstone for compacted topics. */
    public var value: V? = null
        set(value) {
            field = value
            valueAssigned = true
        }

    /** An explicit partition; `null` (the default) lets the partitioner choose. */
    public var partition: Int? = null

    /** The record's timestamp; `null` (the default) lets the producer use the current time. */
    public var timestamp: Instant? = null

    /** Adds a header whose value is [value] in UTF-8. Headers may repeat a name. */
    public fun header(
        name: String,
        value: String,
    ) {
        headers.add(name, value.toByteArray(Charsets.UTF_8))
    }

    /** Adds a header with raw bytes (or `null`). Headers may repeat a name. */
    public fun header(
        name: String,
        value: ByteArray?,
    ) {
        headers.add(name, value)
    }

    /** Adds a header with [value] as decimal text (read it back with `headers.long(name)`). */
    public fun header(
        name: String,
        value: Long,
    ) {
        headers.add(name, value)
    }

    /** Adds a header with [value] as `true`/`false` (read it back with `headers.boolean(name)`). */
    public fun header(
        name: String,
        value: Boolean,
    ) {
        headers.add(name, value)
    }

    /** Adds a header with [value] in its standard text form (read it back with `headers.uuid(name)`). */
    public fun header(
        name: String,
        value: UUID,
    ) {
        headers.add(name, value)
    }

    /** Adds a header with [value] in ISO-8601 (read it back with `headers.instant(name)`). */
    public fun header(
        name: String,
        value: Instant,
    ) {
        headers.add(name, value)
    }

    internal fun build(): ProducerRecord<K, V> {
        require(valueAssigned) { "The record for topic '$topic' has no value: set `value = ...` (or `value = null` for a tombstone)" }
        partition?.let { require(it >= 0) { "partition must not be negative, was $it" } }
        return ProducerRecord(topic, partition, timestamp?.toEpochMilli(), key, value, headers)
    }
}

/**
 * Builds a [ProducerRecord] for [topic] with [build], for [KProducer.offer] or Kafka's own API:
 * ```
 * producerRecord<String, String>("orders") { key = "order-456"; value = json; header("sourceType", "web") }
 * ```
 *
 * @throws IllegalArgumentException when `value` is not assigned or `partition` is negative.
 */
@JvmSynthetic
public fun <K, V> producerRecord(
    topic: String,
    build: RecordBuilder<K, V>.() -> Unit,
): ProducerRecord<K, V> = RecordBuilder<K, V>(topic).apply(build).build()
