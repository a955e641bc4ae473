@file:JvmName("RecordMatchers")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.RecordView
import io.kotest.matchers.Matcher
import io.kotest.matchers.MatcherResult
import io.kotest.matchers.should
import io.kotest.matchers.shouldNot
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/*
 * Matchers for one record: a ProducerRecord, a ConsumerRecord or, for topic, partition and offset,
 * a RecordMetadata. Each is a Kotest Matcher value (`record should haveRecordKey("k")`) and
 * shouldX / shouldNotX sugar that returns the record for chaining. Keys, values and header values
 * compare byte arrays by content; a String matches bytes holding its UTF-8 encoding.
 */

private fun <R> fieldMatcher(
    field: String,
    expected: Any?,
    extract: (RecordView) -> Any?,
): Matcher<R> =
    Matcher { record ->
        val view = RecordView.of(record)
        val actual = extract(view)
        MatcherResult(
            RecordView.same(expected, actual),
            { "Record ${view.describe()} should have $field ${RecordView.show(expected)} but had ${RecordView.show(actual)}" },
            { "Record ${view.describe()} should not have $field ${RecordView.show(expected)}" },
        )
    }

/** Matches a record (or metadata) on [topic]. */
public fun <R> haveRecordTopic(topic: String): Matcher<R> = fieldMatcher("topic", topic) { it.topic }

/** Matches a record whose key is [key]. */
public fun <R> haveRecordKey(key: Any?): Matcher<R> = fieldMatcher("key", key) { it.key }

/** Matches a record whose value is [value]. */
public fun <R> haveRecordValue(value: Any?): Matcher<R> = fieldMatcher("value", value) { it.value }

/** Matches a record (or metadata) in [partition]. */
public fun <R> haveRecordPartition(partition: Int): Matcher<R> = fieldMatcher("partition", partition) { it.partition }

/** Matches a consumer record (or metadata) at [offset]. */
public fun <R> haveRecordOffset(offset: Long): Matcher<R> = fieldMatcher("offset", offset) { it.offset }

/** Matches a record whose timestamp is [timestamp] (milliseconds since the epoch). */
public fun <R> haveRecordTimestamp(timestamp: Long): Matcher<R> = fieldMatcher("timestamp", timestamp) { it.timestamp }

/** Matches a record with at least one header named [name]. */
public fun <R> haveRecordHeader(name: String): Matcher<R> =
    Matcher { record ->
        val view = RecordView.of(record)
        MatcherResult(
            name in view.headerMap,
            { "Record ${view.describe()} should have a header '$name' but its headers are ${view.headerMap.keys}" },
            { "Record ${view.describe()} should not have a header '$name'" },
        )
    }

/** Matches a record whose last header named [name] has [value] (a String in UTF-8, or a ByteArray). */
public fun <R> haveRecordHeader(
    name: String,
    value: Any?,
): Matcher<R> =
    Matcher { record ->
        val view = RecordView.of(record)
        val values = view.headerMap[name]
        MatcherResult(
            values != null && RecordView.same(value, values.last()),
            {
                if (values == null) {
                    "Record ${view.describe()} should have a header '$name' = ${RecordView.show(value)} but has no such header"
                } else {
                    "Record ${view.describe()} should have a header '$name' = ${RecordView.show(value)} but it was ${RecordView.show(values.last())}"
                }
            },
            { "Record ${view.describe()} should not have a header '$name' = ${RecordView.show(value)}" },
        )
    }

/** Matches a record whose headers are exactly [headers]: the same names, each once, with these values. */
public fun <R> haveExactRecordHeaders(headers: Map<String, Any?>): Matcher<R> =
    Matcher { record ->
        val view = RecordView.of(record)
        val actual = view.headerMap
        val same = actual.keys == headers.keys && actual.all { (name, values) -> values.size == 1 && RecordView.same(headers[name], values[0]) }
        MatcherResult(
            same,
            { "Record ${view.describe()} should have exactly the headers ${headers.mapValues { RecordView.show(it.value) }}" },
            { "Record ${view.describe()} should not have exactly the headers ${headers.mapValues { RecordView.show(it.value) }}" },
        )
    }

/** Matches a record that has every field assigned in [template]; the failure lists each differing field. */
public fun <R> matchRecord(template: RecordTemplate.() -> Unit): Matcher<R> {
    val expected = RecordTemplate.of(template)
    return Matcher { record ->
        val view = RecordView.of(record)
        val differences = expected.differences(view)
        MatcherResult(
            differences.isEmpty(),
            { "Record ${view.describe()} should match $expected but:\n" + differences.joinToString("\n") { "  $it" } },
            { "Record ${view.describe()} should not match $expected" },
        )
    }
}

// ---- ProducerRecord ----

/** Asserts the record's topic; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveTopic(topic: String): ProducerRecord<K, V> = apply { this should haveRecordTopic(topic) }

/** Asserts the record is not on [topic]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveTopic(topic: String): ProducerRecord<K, V> = apply { this shouldNot haveRecordTopic(topic) }

/** Asserts the record's key; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveKey(key: K?): ProducerRecord<K, V> = apply { this should haveRecordKey(key) }

/** Asserts the record's key is not [key]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveKey(key: K?): ProducerRecord<K, V> = apply { this shouldNot haveRecordKey(key) }

/** Asserts the record's value; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveValue(value: V?): ProducerRecord<K, V> = apply { this should haveRecordValue(value) }

/** Asserts the record's value is not [value]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveValue(value: V?): ProducerRecord<K, V> = apply { this shouldNot haveRecordValue(value) }

/** Asserts the record's partition (as assigned by the client, for a mock's history); returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHavePartition(partition: Int): ProducerRecord<K, V> = apply { this should haveRecordPartition(partition) }

/** Asserts the record is not in [partition]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHavePartition(partition: Int): ProducerRecord<K, V> =
    apply { this shouldNot haveRecordPartition(partition) }

/** Asserts the record's timestamp; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveTimestamp(timestamp: Long): ProducerRecord<K, V> = apply { this should haveRecordTimestamp(timestamp) }

/** Asserts the record has a header [name]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveHeader(name: String): ProducerRecord<K, V> = apply { this should haveRecordHeader(name) }

/** Asserts the record has no header [name]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveHeader(name: String): ProducerRecord<K, V> = apply { this shouldNot haveRecordHeader(name) }

/** Asserts the record's last header [name] is [value] (String in UTF-8, or ByteArray); returns the record. */
public fun <K, V> ProducerRecord<K, V>.shouldHaveHeader(
    name: String,
    value: Any?,
): ProducerRecord<K, V> = apply { this should haveRecordHeader(name, value) }

/** Asserts the record's headers are exactly [headers]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveExactHeaders(headers: Map<String, Any?>): ProducerRecord<K, V> =
    apply { this should haveExactRecordHeaders(headers) }

/** Asserts the record has every field of [template]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldMatchRecord(template: RecordTemplate.() -> Unit): ProducerRecord<K, V> =
    apply { this should matchRecord(template) }

// ---- ConsumerRecord ----

/** Asserts the record's topic; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveTopic(topic: String): ConsumerRecord<K, V> = apply { this should haveRecordTopic(topic) }

/** Asserts the record is not on [topic]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveTopic(topic: String): ConsumerRecord<K, V> = apply { this shouldNot haveRecordTopic(topic) }

/** Asserts the record's key; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveKey(key: K?): ConsumerRecord<K, V> = apply { this should haveRecordKey(key) }

/** Asserts the record's key is not [key]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveKey(key: K?): ConsumerRecord<K, V> = apply { this shouldNot haveRecordKey(key) }

/** Asserts the record's value; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveValue(value: V?): ConsumerRecord<K, V> = apply { this should haveRecordValue(value) }

/** Asserts the record's value is not [value]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveValue(value: V?): ConsumerRecord<K, V> = apply { this shouldNot haveRecordValue(value) }

/** Asserts the record's partition; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHavePartition(partition: Int): ConsumerRecord<K, V> = apply { this should haveRecordPartition(partition) }

/** Asserts the record is not in [partition]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHavePartition(partition: Int): ConsumerRecord<K, V> =
    apply { this shouldNot haveRecordPartition(partition) }

/** Asserts the record's offset; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveOffset(offset: Long): ConsumerRecord<K, V> = apply { this should haveRecordOffset(offset) }

/** Asserts the record's timestamp; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveTimestamp(timestamp: Long): ConsumerRecord<K, V> = apply { this should haveRecordTimestamp(timestamp) }

/** Asserts the record has a header [name]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveHeader(name: String): ConsumerRecord<K, V> = apply { this should haveRecordHeader(name) }

/** Asserts the record has no header [name]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveHeader(name: String): ConsumerRecord<K, V> = apply { this shouldNot haveRecordHeader(name) }

/** Asserts the record's last header [name] is [value] (String in UTF-8, or ByteArray); returns the record. */
public fun <K, V> ConsumerRecord<K, V>.shouldHaveHeader(
    name: String,
    value: Any?,
): ConsumerRecord<K, V> = apply { this should haveRecordHeader(name, value) }

/** Asserts the record's headers are exactly [headers]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveExactHeaders(headers: Map<String, Any?>): ConsumerRecord<K, V> =
    apply { this should haveExactRecordHeaders(headers) }

/** Asserts the record has every field of [template]; returns the record. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldMatchRecord(template: RecordTemplate.() -> Unit): ConsumerRecord<K, V> =
    apply { this should matchRecord(template) }

// ---- RecordMetadata ----

/** Asserts the metadata's topic; returns it. */
public infix fun RecordMetadata.shouldHaveTopic(topic: String): RecordMetadata = apply { this should haveRecordTopic(topic) }

/** Asserts the metadata's partition; returns it. */
public infix fun RecordMetadata.shouldHavePartition(partition: Int): RecordMetadata = apply { this should haveRecordPartition(partition) }

/** Asserts the metadata is not of [partition]; returns it. */
public infix fun RecordMetadata.shouldNotHavePartition(partition: Int): RecordMetadata = apply { this shouldNot haveRecordPartition(partition) }

/** Asserts the metadata's offset (absent with `acks=0`); returns it. */
public infix fun RecordMetadata.shouldHaveOffset(offset: Long): RecordMetadata = apply { this should haveRecordOffset(offset) }

/** Asserts the metadata's offset is not [offset]; returns it. */
public infix fun RecordMetadata.shouldNotHaveOffset(offset: Long): RecordMetadata = apply { this shouldNot haveRecordOffset(offset) }
