package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.header.Headers

/**
 * What the matchers see of a record, whichever type it is: a `ProducerRecord` (sent, or from a mock's
 * history), a `ConsumerRecord` (read back from a broker) or a `RecordMetadata` (no key, value or headers).
 */
internal class RecordView private constructor(
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

    companion object {
        fun of(record: Any?): RecordView =
            when (record) {
                is ProducerRecord<*, *> -> {
                    RecordView(record.topic(), record.partition(), null, record.timestamp(), record.key(), record.value(), record.headers())
                }

                is ConsumerRecord<*, *> -> {
                    RecordView(
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
                    RecordView(record.topic(), record.partition(), record.offset().takeIf { record.hasOffset() }, record.timestamp(), null, null, null)
                }

                else -> {
                    throw IllegalArgumentException(
                        "The record matchers work on ProducerRecord, ConsumerRecord and RecordMetadata, not ${record?.javaClass?.name ?: "null"}",
                    )
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
