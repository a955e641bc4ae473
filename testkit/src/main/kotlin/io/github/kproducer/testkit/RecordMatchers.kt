@file:JvmName("RecordMatchers")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.asMatcher
import io.github.kproducer.testkit.internal.exactHeadersCheck
import io.github.kproducer.testkit.internal.fieldCheck
import io.github.kproducer.testkit.internal.headerCheck
import io.github.kproducer.testkit.internal.templateCheck
import io.kotest.matchers.Matcher
import io.kotest.matchers.should
import io.kotest.matchers.shouldNot
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata

/*
 * Matchers for one record, paired as Kotest pairs them: a Matcher value `haveX(...)` for
 * `record should haveX(...)`, `shouldNot` and `and`/`or`, and `shouldHaveX` / `shouldNotHaveX` sugar
 * that returns the record for chaining. Keys, values and header values compare byte arrays by
 * content; a String matches bytes holding its UTF-8 encoding. A failure that compares two values
 * carries them as expected and actual, for the IDE's diff.
 *
 * ProducerRecord, ConsumerRecord and RecordMetadata share no supertype. Each Matcher value is one
 * `Matcher<Any?>` for all three; each piece of sugar is declared once per receiver type that has the
 * field, so that `metadata.shouldHaveKey(...)` does not compile.
 */

/**
 * Matches a record on [topic]: a ProducerRecord, a ConsumerRecord or a RecordMetadata.
 *
 * Every record Matcher value is a `Matcher<Any?>`, one value for the three record types: Kotest's
 * `Matcher` takes its value `in`, so `record should haveTopic("orders")` compiles for each of them without
 * type arguments, the values compose with `and` / `or` (also with a matcher typed for one record type)
 * and can be kept in a `val`. What a type parameter could not check is checked when the matcher runs:
 * given a value that is none of the three record types, or a record without the field (the key of a
 * RecordMetadata, the offset of a ProducerRecord), a matcher throws an [IllegalArgumentException]
 * naming the type and the field, in either polarity. The `shouldHaveX` sugar is typed per record type
 * and checks this at compile time.
 */
public fun haveTopic(topic: String): Matcher<Any?> = fieldCheck("topic", topic).asMatcher()

/** Matches a ProducerRecord or a ConsumerRecord whose key is [key]; a `Matcher<Any?>`, as [haveTopic] explains. */
public fun haveKey(key: Any?): Matcher<Any?> = fieldCheck("key", key).asMatcher()

/** Matches a ProducerRecord or a ConsumerRecord whose value is [value] (`null` for a tombstone); a `Matcher<Any?>`, as [haveTopic] explains. */
public fun haveValue(value: Any?): Matcher<Any?> = fieldCheck("value", value).asMatcher()

/**
 * Matches a record in [partition]: a ProducerRecord's (as a mock's history records it, or as set when
 * built), a ConsumerRecord's or a RecordMetadata's; a `Matcher<Any?>`, as [haveTopic] explains.
 */
public fun havePartition(partition: Int): Matcher<Any?> = fieldCheck("partition", partition).asMatcher()

/**
 * Matches a ConsumerRecord or a RecordMetadata at [offset] (a RecordMetadata has no offset with
 * `acks=0`); a `Matcher<Any?>`, as [haveTopic] explains.
 */
public fun haveOffset(offset: Long): Matcher<Any?> = fieldCheck("offset", offset).asMatcher()

/** Matches a record whose timestamp is [timestamp] (milliseconds since the epoch); a `Matcher<Any?>`, as [haveTopic] explains. */
public fun haveTimestamp(timestamp: Long): Matcher<Any?> = fieldCheck("timestamp", timestamp).asMatcher()

/** Matches a ProducerRecord or a ConsumerRecord with at least one header named [name]; a `Matcher<Any?>`, as [haveTopic] explains. */
public fun haveHeader(name: String): Matcher<Any?> = headerCheck(name).asMatcher()

/**
 * Matches a ProducerRecord or a ConsumerRecord whose last header named [name] has [value] (a String in
 * UTF-8, or a ByteArray); a `Matcher<Any?>`, as [haveTopic] explains.
 */
public fun haveHeader(
    name: String,
    value: Any?,
): Matcher<Any?> = headerCheck(name, value).asMatcher()

/**
 * Matches a ProducerRecord or a ConsumerRecord whose headers are exactly [headers]: the same names,
 * each once, with these values; a `Matcher<Any?>`, as [haveTopic] explains.
 */
public fun haveExactHeaders(headers: Map<String, Any?>): Matcher<Any?> = exactHeadersCheck(headers).asMatcher()

/**
 * Matches a record that has every field assigned in [template]; the failure lists each differing
 * field. A `Matcher<Any?>`, as [haveTopic] explains: a field the record's type lacks fails as there.
 */
public fun matchRecord(template: RecordTemplate<Any?, Any?>.() -> Unit): Matcher<Any?> = templateCheck(template).asMatcher()

// ---- ProducerRecord ----

/** Asserts the record's topic; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveTopic(topic: String): ProducerRecord<K, V> = apply { this should haveTopic(topic) }

/** Asserts the record is not on [topic]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveTopic(topic: String): ProducerRecord<K, V> = apply { this shouldNot haveTopic(topic) }

/** Asserts the record's key; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveKey(key: K?): ProducerRecord<K, V> = apply { this should haveKey(key) }

/** Asserts the record's key is not [key]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveKey(key: K?): ProducerRecord<K, V> = apply { this shouldNot haveKey(key) }

/** Asserts the record's value; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveValue(value: V?): ProducerRecord<K, V> = apply { this should haveValue(value) }

/** Asserts the record's value is not [value]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveValue(value: V?): ProducerRecord<K, V> = apply { this shouldNot haveValue(value) }

/** Asserts the record's partition (as assigned by the client, for a mock's history); returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHavePartition(partition: Int): ProducerRecord<K, V> = apply { this should havePartition(partition) }

/** Asserts the record is not in [partition]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHavePartition(partition: Int): ProducerRecord<K, V> = apply { this shouldNot havePartition(partition) }

/** Asserts the record's timestamp; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveTimestamp(timestamp: Long): ProducerRecord<K, V> = apply { this should haveTimestamp(timestamp) }

/** Asserts the record has a header [name]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveHeader(name: String): ProducerRecord<K, V> = apply { this should haveHeader(name) }

/** Asserts the record has no header [name]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldNotHaveHeader(name: String): ProducerRecord<K, V> = apply { this shouldNot haveHeader(name) }

/** Asserts the record's last header [name] is [value] (String in UTF-8, or ByteArray); returns the record. */
public fun <K, V> ProducerRecord<K, V>.shouldHaveHeader(
    name: String,
    value: Any?,
): ProducerRecord<K, V> = apply { this should haveHeader(name, value) }

/** Asserts the record's headers are exactly [headers]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldHaveExactHeaders(headers: Map<String, Any?>): ProducerRecord<K, V> =
    apply { this should haveExactHeaders(headers) }

/** Asserts the record has every field of [template]; returns the record. */
public infix fun <K, V> ProducerRecord<K, V>.shouldMatchRecord(template: RecordTemplate<K, V>.() -> Unit): ProducerRecord<K, V> =
    apply { this should templateCheck(template).asMatcher() }

// ---- ConsumerRecord ----

/** Asserts that this record read back from a broker came from [topic]; returns it for chaining. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveTopic(topic: String): ConsumerRecord<K, V> = apply { this should haveTopic(topic) }

/** Asserts that this consumed record did not come from [topic]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveTopic(topic: String): ConsumerRecord<K, V> = apply { this shouldNot haveTopic(topic) }

/** Asserts that this consumed record's key is [key] (byte arrays by content, a String as its UTF-8 bytes); returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveKey(key: K?): ConsumerRecord<K, V> = apply { this should haveKey(key) }

/** Asserts that this consumed record's key is anything but [key]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveKey(key: K?): ConsumerRecord<K, V> = apply { this shouldNot haveKey(key) }

/** Asserts that this consumed record's value is [value] (`null` for a tombstone); returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveValue(value: V?): ConsumerRecord<K, V> = apply { this should haveValue(value) }

/** Asserts that this consumed record's value is anything but [value]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveValue(value: V?): ConsumerRecord<K, V> = apply { this shouldNot haveValue(value) }

/** Asserts that the broker stored this record in [partition]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHavePartition(partition: Int): ConsumerRecord<K, V> = apply { this should havePartition(partition) }

/** Asserts that the broker stored this record in a partition other than [partition]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHavePartition(partition: Int): ConsumerRecord<K, V> = apply { this shouldNot havePartition(partition) }

/** Asserts that this record sits at [offset] of its partition; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveOffset(offset: Long): ConsumerRecord<K, V> = apply { this should haveOffset(offset) }

/** Asserts that this consumed record carries [timestamp] (create or log-append time, per the topic); returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveTimestamp(timestamp: Long): ConsumerRecord<K, V> = apply { this should haveTimestamp(timestamp) }

/** Asserts that at least one header of this consumed record is named [name]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveHeader(name: String): ConsumerRecord<K, V> = apply { this should haveHeader(name) }

/** Asserts that no header of this consumed record is named [name]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveHeader(name: String): ConsumerRecord<K, V> = apply { this shouldNot haveHeader(name) }

/** Asserts that the last header [name] of this consumed record holds [value] (a String as UTF-8, or bytes); returns it. */
public fun <K, V> ConsumerRecord<K, V>.shouldHaveHeader(
    name: String,
    value: Any?,
): ConsumerRecord<K, V> = apply { this should haveHeader(name, value) }

/** Asserts that this consumed record has exactly [headers]: those names, each once, with those values; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveExactHeaders(headers: Map<String, Any?>): ConsumerRecord<K, V> =
    apply { this should haveExactHeaders(headers) }

/** Asserts that this consumed record has every field [template] assigns; the failure lists each that differs. Returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldMatchRecord(template: RecordTemplate<K, V>.() -> Unit): ConsumerRecord<K, V> =
    apply { this should templateCheck(template).asMatcher() }

// ---- RecordMetadata ----

/** Asserts the metadata's topic; returns it. */
public infix fun RecordMetadata.shouldHaveTopic(topic: String): RecordMetadata = apply { this should haveTopic(topic) }

/** Asserts the metadata's partition; returns it. */
public infix fun RecordMetadata.shouldHavePartition(partition: Int): RecordMetadata = apply { this should havePartition(partition) }

/** Asserts the metadata is not of [partition]; returns it. */
public infix fun RecordMetadata.shouldNotHavePartition(partition: Int): RecordMetadata = apply { this shouldNot havePartition(partition) }

/** Asserts the metadata's offset (absent with `acks=0`); returns it. */
public infix fun RecordMetadata.shouldHaveOffset(offset: Long): RecordMetadata = apply { this should haveOffset(offset) }

/** Asserts the metadata's offset is not [offset]; returns it. */
public infix fun RecordMetadata.shouldNotHaveOffset(offset: Long): RecordMetadata = apply { this shouldNot haveOffset(offset) }
