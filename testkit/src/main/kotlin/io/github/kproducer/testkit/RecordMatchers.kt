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
 * field, so that `metadata.shouldHaveKey(...)` does not compile and the sugar returns the receiver's own
 * type.
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
@JvmSynthetic
public fun matchRecord(template: RecordTemplate<Any?, Any?>.() -> Unit): Matcher<Any?> = templateCheck(template).asMatcher()

// ---- ProducerRecord ----

/** Asserts that this record is on [topic]; returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldHaveTopic(topic: String): R = apply { this should haveTopic(topic) }

/** Asserts that this record is not on [topic]; returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldNotHaveTopic(topic: String): R = apply { this shouldNot haveTopic(topic) }

/** Asserts that this record's key is [key] (byte arrays by content); returns it. */
public infix fun <R : ProducerRecord<K, *>, K> R.shouldHaveKey(key: K?): R = apply { this should haveKey(key) }

/** Asserts that this record's key is anything but [key]; returns it. */
public infix fun <R : ProducerRecord<K, *>, K> R.shouldNotHaveKey(key: K?): R = apply { this shouldNot haveKey(key) }

/** Asserts that this record's value is [value] (byte arrays by content); returns it. */
public infix fun <R : ProducerRecord<*, V>, V> R.shouldHaveValue(value: V?): R = apply { this should haveValue(value) }

/** Asserts that this record's value is anything but [value]; returns it. */
public infix fun <R : ProducerRecord<*, V>, V> R.shouldNotHaveValue(value: V?): R = apply { this shouldNot haveValue(value) }

/** Asserts that this record's partition is [partition] (as the client assigned it, for a mock's history); returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldHavePartition(partition: Int): R = apply { this should havePartition(partition) }

/** Asserts that this record is not in [partition]; returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldNotHavePartition(partition: Int): R = apply { this shouldNot havePartition(partition) }

/** Asserts that this record's timestamp is [timestamp] (milliseconds since the epoch); returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldHaveTimestamp(timestamp: Long): R = apply { this should haveTimestamp(timestamp) }

/** Asserts that this record has a header named [name]; returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldHaveHeader(name: String): R = apply { this should haveHeader(name) }

/** Asserts that this record has no header named [name]; returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldNotHaveHeader(name: String): R = apply { this shouldNot haveHeader(name) }

/** Asserts that this record's last header [name] is [value] (a String in UTF-8, or a ByteArray); returns it. */
public fun <R : ProducerRecord<*, *>> R.shouldHaveHeader(
    name: String,
    value: Any?,
): R = apply { this should haveHeader(name, value) }

/** Asserts that this record's headers are exactly [headers]: those names, each once, with those values; returns it. */
public infix fun <R : ProducerRecord<*, *>> R.shouldHaveExactHeaders(headers: Map<String, Any?>): R = apply { this should haveExactHeaders(headers) }

/** Asserts that this record has every field [template] assigns; the failure lists each that differs. Returns it. */
@JvmSynthetic
public infix fun <R : ProducerRecord<K, V>, K, V> R.shouldMatchRecord(template: RecordTemplate<K, V>.() -> Unit): R =
    apply { this should templateCheck(template).asMatcher() }

// ---- ConsumerRecord ----

/** Asserts that this record read back from a broker came from [topic]; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldHaveTopic(topic: String): R = apply { this should haveTopic(topic) }

/** Asserts that this consumed record did not come from [topic]; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldNotHaveTopic(topic: String): R = apply { this shouldNot haveTopic(topic) }

/** Asserts that this consumed record's key is [key] (byte arrays by content, a String as its UTF-8 bytes); returns it. */
public infix fun <R : ConsumerRecord<K, *>, K> R.shouldHaveKey(key: K?): R = apply { this should haveKey(key) }

/** Asserts that this consumed record's key is anything but [key]; returns it. */
public infix fun <R : ConsumerRecord<K, *>, K> R.shouldNotHaveKey(key: K?): R = apply { this shouldNot haveKey(key) }

/** Asserts that this consumed record's value is [value] (`null` for a tombstone); returns it. */
public infix fun <R : ConsumerRecord<*, V>, V> R.shouldHaveValue(value: V?): R = apply { this should haveValue(value) }

/** Asserts that this consumed record's value is anything but [value]; returns it. */
public infix fun <R : ConsumerRecord<*, V>, V> R.shouldNotHaveValue(value: V?): R = apply { this shouldNot haveValue(value) }

/** Asserts that the broker stored this record in [partition]; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldHavePartition(partition: Int): R = apply { this should havePartition(partition) }

/** Asserts that the broker stored this record in a partition other than [partition]; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldNotHavePartition(partition: Int): R = apply { this shouldNot havePartition(partition) }

/** Asserts that this record sits at [offset] of its partition; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldHaveOffset(offset: Long): R = apply { this should haveOffset(offset) }

/** Asserts that this consumed record carries [timestamp] (create or log-append time, per the topic); returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldHaveTimestamp(timestamp: Long): R = apply { this should haveTimestamp(timestamp) }

/** Asserts that at least one header of this consumed record is named [name]; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldHaveHeader(name: String): R = apply { this should haveHeader(name) }

/** Asserts that no header of this consumed record is named [name]; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldNotHaveHeader(name: String): R = apply { this shouldNot haveHeader(name) }

/** Asserts that the last header [name] of this consumed record holds [value] (a String as UTF-8, or bytes); returns it. */
public fun <R : ConsumerRecord<*, *>> R.shouldHaveHeader(
    name: String,
    value: Any?,
): R = apply { this should haveHeader(name, value) }

/** Asserts that this consumed record has exactly [headers]: those names, each once, with those values; returns it. */
public infix fun <R : ConsumerRecord<*, *>> R.shouldHaveExactHeaders(headers: Map<String, Any?>): R = apply { this should haveExactHeaders(headers) }

/** Asserts that this consumed record has every field [template] assigns; the failure lists each that differs. Returns it. */
@JvmSynthetic
public infix fun <R : ConsumerRecord<K, V>, K, V> R.shouldMatchRecord(template: RecordTemplate<K, V>.() -> Unit): R =
    apply { this should templateCheck(template).asMatcher() }

// ---- RecordMetadata (a final class: the receiver is its own type) ----

/** Asserts that this metadata is of a record sent to [topic]; returns it. */
public infix fun RecordMetadata.shouldHaveTopic(topic: String): RecordMetadata = apply { this should haveTopic(topic) }

/** Asserts that this metadata is of a record stored in [partition]; returns it. */
public infix fun RecordMetadata.shouldHavePartition(partition: Int): RecordMetadata = apply { this should havePartition(partition) }

/** Asserts that this metadata is of a record stored in a partition other than [partition]; returns it. */
public infix fun RecordMetadata.shouldNotHavePartition(partition: Int): RecordMetadata = apply { this shouldNot havePartition(partition) }

/** Asserts that this metadata's offset is [offset] (there is none with `acks=0`); returns it. */
public infix fun RecordMetadata.shouldHaveOffset(offset: Long): RecordMetadata = apply { this should haveOffset(offset) }

/** Asserts that this metadata's offset is not [offset]; returns it. */
public infix fun RecordMetadata.shouldNotHaveOffset(offset: Long): RecordMetadata = apply { this shouldNot haveOffset(offset) }
