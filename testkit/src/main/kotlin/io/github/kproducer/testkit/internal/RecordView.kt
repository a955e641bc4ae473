package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.header.Headers

/**
 * What the matchers see of a record, whichever type it is: a `ProducerRecord` (sent, or from a mock's
 * history; no offset), a `ConsumerRecord` (read back from a broker) or a `RecordMetadata` (no key,
 * value or headers). The matchers are generic, so a check that reads a field asks for it by name
 * ([of] with fields), and a value that is no record, or a record without that field, fails with a
 * message that names both, instead of a `ClassCastException` or a comparison with a missing `null`.
 */
internal class RecordView private constructor(
    /** The record's type as messages name it: `ProducerRecord`, `ConsumerRecord` or `RecordMetadata`. */
    val type: String,
    val topic: String,
    val partition: Int?,
    val offset: Long?,
    val timestamp: Long?,
    val key: Any?,
    val value: Any?,
    val headers: Headers?,
) {
    /** Header name to the values of every header with that name, in order. */
    val headerMap: Map<String, List<ByteArray?>>
        get() = headers?.groupBy({ it.key() }, { it.value() }) ?: emptyMap()

    /** `topic-partition@offset key=... value=... headers={...} timestamp=...`, values shortened to stay readable. */
    fun describe(): String =
        buildString {
            append(topic)
            partition?.let { append('-').append(it) }
            offset?.let { append('@').append(it) }
            if (headers != null) {
                append(" key=").append(show(key)).append(" value=").append(show(value))
                if (headerMap.isNotEmpty()) append(" headers=").append(headerMap.mapValues { (_, v) -> v.map(::show) })
            }
            timestamp?.let { append(" timestamp=").append(it) }
        }

    /** The value of [field]: `topic`, `partition`, `offset`, `timestamp`, `key`, `value` or `headers`. */
    fun field(field: String): Any? =
        when (field) {
            "topic" -> topic
            "partition" -> partition
            "offset" -> offset
            "timestamp" -> timestamp
            "key" -> key
            "value" -> value
            "headers" -> headers
            else -> throw IllegalArgumentException("No record field '$field'")
        }

    companion object {
        /** The fields a check can read, each with how messages name one of it (`a key`). */
        private val FIELDS =
            mapOf(
                "topic" to "a topic",
                "partition" to "a partition",
                "offset" to "an offset",
                "timestamp" to "a timestamp",
                "key" to "a key",
                "value" to "a value",
                "headers" to "headers",
            )

        /** The fields each record type lacks: a check of one of them on that type can never mean anything. */
        private val ABSENT =
            mapOf(
                "ProducerRecord" to setOf("offset"),
                "ConsumerRecord" to emptySet(),
                "RecordMetadata" to setOf("key", "value", "headers"),
            )

        private const val RECORD_TYPES = "a ProducerRecord, a ConsumerRecord or a RecordMetadata"

        /**
         * [record] as a check that reads [fields] sees it.
         *
         * @throws IllegalArgumentException naming the type and the field when [record] is no
         *   ProducerRecord, ConsumerRecord or RecordMetadata, or has no such field (a key of a RecordMetadata).
         */
        fun of(
            record: Any?,
            fields: Collection<String>,
        ): RecordView {
            val view =
                viewOf(record) ?: throw IllegalArgumentException(
                    "Cannot check ${fields.firstOrNull()?.let { "the $it of " } ?: ""}${typeOf(record)}: the record matchers check $RECORD_TYPES",
                )
            val absent = fields.firstOrNull { it in ABSENT.getValue(view.type) }
            if (absent != null) {
                val holders = ABSENT.filterValues { absent !in it }.keys.joinToString(" and ") { "a $it" }
                throw IllegalArgumentException(
                    "Cannot check the $absent of a ${view.type}, which has none: only $holders have ${FIELDS.getValue(absent)}",
                )
            }
            return view
        }

        /** [record] as a check that reads [field] sees it; see [of]. */
        fun of(
            record: Any?,
            field: String,
        ): RecordView = of(record, listOf(field))

        /** [record] as a check that reads none of its fields in particular (to describe it) sees it; see [of]. */
        fun of(record: Any?): RecordView = of(record, emptyList())

        private fun typeOf(record: Any?): String = if (record == null) "null" else "a ${record.javaClass.name}"

        private fun viewOf(record: Any?): RecordView? =
            when (record) {
                is ProducerRecord<*, *> -> {
                    RecordView(
                        "ProducerRecord",
                        record.topic(),
                        record.partition(),
                        null,
                        record.timestamp(),
                        record.key(),
                        record.value(),
                        record.headers(),
                    )
                }

                is ConsumerRecord<*, *> -> {
                    RecordView(
                        "ConsumerRecord",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        record.value(),
                        record.headers(),
                    )
                }

                is RecordMetadata -> {
                    RecordView(
                        "RecordMetadata",
                        record.topic(),
                        record.partition(),
                        record.offset().takeIf { record.hasOffset() },
                        record.timestamp(),
                        null,
                        null,
                        null,
                    )
                }

                else -> {
                    null
                }
            }

        /** Equality of keys, values and header values: byte arrays by content. */
        fun same(
            a: Any?,
            b: Any?,
        ): Boolean =
            when {
                a is ByteArray && b is ByteArray -> a.contentEquals(b)
                a is String && b is ByteArray -> a == String(b, Charsets.UTF_8)
                a is ByteArray && b is String -> String(a, Charsets.UTF_8) == b
                else -> a == b
            }

        fun show(value: Any?): String {
            val text = full(value)
            return if (text.length > MAX_SHOWN) text.take(MAX_SHOWN) + "...(${text.length} chars)" else text
        }

        /** [value] as the messages write it, however long: what an IDE is given to diff. */
        fun full(value: Any?): String =
            when (value) {
                null -> "null"
                is ByteArray -> String(value, Charsets.UTF_8).takeIf { s -> s.all { !it.isISOControl() } }?.let { "\"$it\"" } ?: value.contentToString()
                is String -> "\"$value\""
                else -> value.toString()
            }

        /**
         * [expected] and [actual] as a mismatch message shows them. Short values whole; when either is
         * longer than a line, the same window of both around their first difference, so that two long
         * values that differ near the end do not read the same: `...,"amount":1000}` against
         * `...,"amount":1001}`, with where the window starts and how long each value is.
         */
        fun showMismatch(
            expected: Any?,
            actual: Any?,
        ): Pair<String, String> {
            val a = full(expected)
            val b = full(actual)
            if (a.length <= MAX_SHOWN && b.length <= MAX_SHOWN) return a to b
            val first = a.indices.firstOrNull { it >= b.length || a[it] != b[it] } ?: a.length
            val start = maxOf(0, first - CONTEXT_BEFORE)

            fun window(text: String): String {
                val end = minOf(text.length, start + MAX_SHOWN)
                val head = if (start > 0) "..." else ""
                val tail = if (end < text.length) "..." else ""
                return "$head${text.substring(minOf(start, text.length), end)}$tail (${text.length} chars)"
            }
            val where = " [first difference at char $first]"
            return window(a) + where to window(b)
        }

        private const val MAX_SHOWN = 80

        /** How much of what two long values share a mismatch window shows before their first difference. */
        private const val CONTEXT_BEFORE = 30
    }
}

/** A short description of [record] for messages. */
internal fun describe(record: Any?): String = RecordView.of(record).describe()
