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
            val text =
                when (value) {
                    null -> "null"
                    is ByteArray -> String(value, Charsets.UTF_8).takeIf { s -> s.all { !it.isISOControl() } }?.let { "\"$it\"" } ?: value.contentToString()
                    is String -> "\"$value\""
                    else -> value.toString()
                }
            return if (text.length > MAX_SHOWN) text.take(MAX_SHOWN) + "...(${text.length} chars)" else text
        }

        private const val MAX_SHOWN = 80
    }
}

/** A short description of [record] for messages. */
internal fun describe(record: Any?): String = RecordView.of(record).describe()
