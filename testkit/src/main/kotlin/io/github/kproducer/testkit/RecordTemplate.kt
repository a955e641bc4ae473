package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.RecordView

/**
 * The fields a record is expected to have, for `shouldHaveSent { ... }` and `shouldMatchRecord { ... }`
 * in Kotlin, `hasSent(t -> t.key("order-456"))` and `containsRecord(...)` in Java. Typed by the
 * record's key type [K] and value type [V], so a template on a `MockKafkaProducer<String, Payment>`
 * takes a `Payment` value; matchers that do not know the record's types take any key and value.
 * Only the fields you assign are compared (assigning `null` expects `null`); byte arrays compare by
 * content, and a header given as a String matches bytes holding its UTF-8 encoding.
 *
 * ```
 * producer.shouldHaveSent {
 *     topic = "orders"
 *     key = "order-456"
 *     header("sourceType", "web")
 * }
 * ```
 * Not thread-safe.
 */
@TestKitDsl
public class RecordTemplate<K, V> internal constructor() {
    private val expected = LinkedHashMap<String, Any?>()
    private val headers = ArrayList<Pair<String, Any?>>()

    /** The expected topic. */
    @set:JvmSynthetic
    public var topic: String?
        get() = expected["topic"] as String?
        set(value) {
            expected["topic"] = value
        }

    /** The expected key. */
    @set:JvmSynthetic
    public var key: K?
        @Suppress("UNCHECKED_CAST")
        get() = expected["key"] as K?
        set(value) {
            expected["key"] = value
        }

    /** The expected value. */
    @set:JvmSynthetic
    public var value: V?
        @Suppress("UNCHECKED_CAST")
        get() = expected["value"] as V?
        set(value) {
            expected["value"] = value
        }

    /** The expected partition. */
    @set:JvmSynthetic
    public var partition: Int?
        get() = expected["partition"] as Int?
        set(value) {
            expected["partition"] = value
        }

    /** The expected offset (records read back, metadata). */
    @set:JvmSynthetic
    public var offset: Long?
        get() = expected["offset"] as Long?
        set(value) {
            expected["offset"] = value
        }

    /** The expected timestamp in milliseconds since the epoch. */
    @set:JvmSynthetic
    public var timestamp: Long?
        get() = expected["timestamp"] as Long?
        set(value) {
            expected["timestamp"] = value
        }

    /** Expects a header [name] whose last value is [value] in UTF-8. */
    public fun header(
        name: String,
        value: String,
    ): RecordTemplate<K, V> = apply { headers += name to value }

    /** Expects a header [name] whose last value is [value]. */
    public fun header(
        name: String,
        value: ByteArray?,
    ): RecordTemplate<K, V> = apply { headers += name to value }

    /** Expects [topic] and returns this template (the Java form of `topic = ...`). */
    public fun topic(topic: String?): RecordTemplate<K, V> = apply { this.topic = topic }

    /** Expects [key] and returns this template (the Java form of `key = ...`). */
    public fun key(key: K?): RecordTemplate<K, V> = apply { this.key = key }

    /** Expects [value] and returns this template (the Java form of `value = ...`). */
    public fun value(value: V?): RecordTemplate<K, V> = apply { this.value = value }

    /** Expects [partition] and returns this template (the Java form of `partition = ...`). */
    public fun partition(partition: Int?): RecordTemplate<K, V> = apply { this.partition = partition }

    /** Expects [offset] and returns this template (the Java form of `offset = ...`). */
    public fun offset(offset: Long?): RecordTemplate<K, V> = apply { this.offset = offset }

    /** Expects [timestamp] (milliseconds since the epoch) and returns this template (the Java form of `timestamp = ...`). */
    public fun timestamp(timestamp: Long?): RecordTemplate<K, V> = apply { this.timestamp = timestamp }

    private fun actualFields(record: RecordView): Map<String, Any?> =
        mapOf(
            "topic" to record.topic,
            "key" to record.key,
            "value" to record.value,
            "partition" to record.partition,
            "offset" to record.offset,
            "timestamp" to record.timestamp,
        )

    /** The record fields this template reads: those assigned, and `headers` when it expects a header. */
    internal fun fields(): Set<String> = if (headers.isEmpty()) expected.keys else expected.keys + "headers"

    /** How [record] differs from this template, one `field: expected X but was Y` per field; empty when it matches. */
    internal fun differences(record: RecordView): List<String> {
        val actual = actualFields(record)
        val fields =
            expected.mapNotNull { (field, want) ->
                val got = actual[field]
                if (RecordView.same(want, got)) null else RecordView.showMismatch(want, got).let { (e, a) -> "$field: expected $e but was $a" }
            }
        val headerFields =
            headers.mapNotNull { (name, want) ->
                val values = record.headerMap[name]
                when {
                    values == null -> "header $name: expected ${RecordView.show(want)} but there is no such header"
                    RecordView.same(want, values.last()) -> null
                    else -> RecordView.showMismatch(want, values.last()).let { (e, a) -> "header $name: expected $e but was $a" }
                }
            }
        return fields + headerFields
    }

    /** The expected fields, as `{topic="orders", key="k", header traceId="t-1"}`. */
    override fun toString(): String = render(expected.mapValues { RecordView.show(it.value) }, headers.map { (k, v) -> k to RecordView.show(v) })

    /** [toString] with every value whole, however long: the expected side of an IDE's diff. */
    internal fun fullString(): String = render(expected.mapValues { RecordView.full(it.value) }, headers.map { (k, v) -> k to RecordView.full(v) })

    /**
     * The fields this template names, as [record] has them, whole, in the form of [fullString] (so that
     * a failure's expected and actual values line up in a diff); `<none>` for a missing header.
     */
    internal fun fieldsOf(record: RecordView): String {
        val actual = actualFields(record)
        return render(
            expected.mapValues { (field, _) -> RecordView.full(actual[field]) },
            headers.map { (name, _) -> name to (record.headerMap[name]?.let { RecordView.full(it.last()) } ?: "<none>") },
        )
    }

    private fun render(
        fields: Map<String, String>,
        headerFields: List<Pair<String, String>>,
    ): String = (fields.map { (k, v) -> "$k=$v" } + headerFields.map { (k, v) -> "header $k=$v" }).joinToString(prefix = "{", postfix = "}")

    internal companion object {
        fun <K, V> of(build: RecordTemplate<K, V>.() -> Unit): RecordTemplate<K, V> = RecordTemplate<K, V>().apply(build)
    }
}
