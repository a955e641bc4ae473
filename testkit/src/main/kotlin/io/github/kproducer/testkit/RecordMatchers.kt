@file:JvmName("RecordMatchers")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.exactHeadersMatcher
import io.github.kproducer.testkit.internal.fieldMatcher
import io.github.kproducer.testkit.internal.headerMatcher
import io.github.kproducer.testkit.internal.templateMatcher
import io.kotest.matchers.Matcher
import io.kotest.matchers.should
import io.kotest.matchers.shouldNot
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import io.github.kproducer.testkit.consumed.haveExactHeaders as consumedHaveExactHeaders
import io.github.kproducer.testkit.consumed.haveHeader as consumedHaveHeader
import io.github.kproducer.testkit.consumed.haveKey as consumedHaveKey
import io.github.kproducer.testkit.consumed.haveOffset as consumedHaveOffset
import io.github.kproducer.testkit.consumed.havePartition as consumedHavePartition
import io.github.kproducer.testkit.consumed.haveTimestamp as consumedHaveTimestamp
import io.github.kproducer.testkit.consumed.haveTopic as consumedHaveTopic
import io.github.kproducer.testkit.consumed.haveValue as consumedHaveValue
import io.github.kproducer.testkit.consumed.matchRecord as consumedMatchRecord
import io.github.kproducer.testkit.metadata.haveOffset as metadataHaveOffset
import io.github.kproducer.testkit.metadata.havePartition as metadataHavePartition
import io.github.kproducer.testkit.metadata.haveTopic as metadataHaveTopic

/*
 * Matchers for one record, paired as Kotest pairs them: a Matcher value `haveX(...)` for
 * `record should haveX(...)`, `shouldNot` and `and`/`or`, and `shouldHaveX` / `shouldNotHaveX` sugar
 * that returns the record for chaining. Keys, values and header values compare byte arrays by
 * content; a String matches bytes holding its UTF-8 encoding. A failure that compares two values
 * carries them as expected and actual, for the IDE's diff.
 *
 * ProducerRecord, ConsumerRecord and RecordMetadata share no supertype, so each Matcher value is typed
 * for one of them: the values here check a ProducerRecord (one you built, or a mock's history); the
 * same names in io.github.kproducer.testkit.consumed check a ConsumerRecord (read back from a
 * broker), and in io.github.kproducer.testkit.metadata a RecordMetadata. The sugar below serves all
 * three receivers under one name.
 */

/**
 * Matches a ProducerRecord on [topic].
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveTopic]; for RecordMetadata: [io.github.kproducer.testkit.metadata.haveTopic].
 */
public fun haveTopic(topic: String): Matcher<ProducerRecord<*, *>> = fieldMatcher("topic", topic) { it.topic }

/**
 * Matches a ProducerRecord whose key is [key].
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveKey].
 */
public fun haveKey(key: Any?): Matcher<ProducerRecord<*, *>> = fieldMatcher("key", key) { it.key }

/**
 * Matches a ProducerRecord whose value is [value].
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveValue].
 */
public fun haveValue(value: Any?): Matcher<ProducerRecord<*, *>> = fieldMatcher("value", value) { it.value }

/**
 * Matches a ProducerRecord whose partition is [partition] (as a mock's history records it, or as set when built).
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.havePartition]; for RecordMetadata: [io.github.kproducer.testkit.metadata.havePartition].
 */
public fun havePartition(partition: Int): Matcher<ProducerRecord<*, *>> = fieldMatcher("partition", partition) { it.partition }

/**
 * Matches a ProducerRecord whose timestamp is [timestamp] (milliseconds since the epoch).
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveTimestamp].
 */
public fun haveTimestamp(timestamp: Long): Matcher<ProducerRecord<*, *>> = fieldMatcher("timestamp", timestamp) { it.timestamp }

/**
 * Matches a ProducerRecord with at least one header named [name].
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveHeader].
 */
public fun haveHeader(name: String): Matcher<ProducerRecord<*, *>> = headerMatcher(name)

/**
 * Matches a ProducerRecord whose last header named [name] has [value] (a String in UTF-8, or a ByteArray).
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveHeader].
 */
public fun haveHeader(
    name: String,
    value: Any?,
): Matcher<ProducerRecord<*, *>> = headerMatcher(name, value)

/**
 * Matches a ProducerRecord whose headers are exactly [headers]: the same names, each once, with these values.
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.haveExactHeaders].
 */
public fun haveExactHeaders(headers: Map<String, Any?>): Matcher<ProducerRecord<*, *>> = exactHeadersMatcher(headers)

/**
 * Matches a ProducerRecord that has every field assigned in [template]; the failure lists each differing field.
 * For a ConsumerRecord: [io.github.kproducer.testkit.consumed.matchRecord].
 */
public fun matchRecord(template: RecordTemplate<Any?, Any?>.() -> Unit): Matcher<ProducerRecord<*, *>> = templateMatcher(template)

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
    apply { this should templateMatcher<ProducerRecord<K, V>, K, V>(template) }

// ---- ConsumerRecord ----

/** Asserts that this record read back from a broker came from [topic]; returns it for chaining. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveTopic(topic: String): ConsumerRecord<K, V> = apply { this should consumedHaveTopic(topic) }

/** Asserts that this consumed record did not come from [topic]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveTopic(topic: String): ConsumerRecord<K, V> = apply { this shouldNot consumedHaveTopic(topic) }

/** Asserts that this consumed record's key is [key] (byte arrays by content, a String as its UTF-8 bytes); returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveKey(key: K?): ConsumerRecord<K, V> = apply { this should consumedHaveKey(key) }

/** Asserts that this consumed record's key is anything but [key]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveKey(key: K?): ConsumerRecord<K, V> = apply { this shouldNot consumedHaveKey(key) }

/** Asserts that this consumed record's value is [value] (`null` for a tombstone); returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveValue(value: V?): ConsumerRecord<K, V> = apply { this should consumedHaveValue(value) }

/** Asserts that this consumed record's value is anything but [value]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveValue(value: V?): ConsumerRecord<K, V> = apply { this shouldNot consumedHaveValue(value) }

/** Asserts that the broker stored this record in [partition]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHavePartition(partition: Int): ConsumerRecord<K, V> = apply { this should consumedHavePartition(partition) }

/** Asserts that the broker stored this record in a partition other than [partition]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHavePartition(partition: Int): ConsumerRecord<K, V> =
    apply { this shouldNot consumedHavePartition(partition) }

/** Asserts that this record sits at [offset] of its partition; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveOffset(offset: Long): ConsumerRecord<K, V> = apply { this should consumedHaveOffset(offset) }

/** Asserts that this consumed record carries [timestamp] (create or log-append time, per the topic); returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveTimestamp(timestamp: Long): ConsumerRecord<K, V> = apply { this should consumedHaveTimestamp(timestamp) }

/** Asserts that at least one header of this consumed record is named [name]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveHeader(name: String): ConsumerRecord<K, V> = apply { this should consumedHaveHeader(name) }

/** Asserts that no header of this consumed record is named [name]; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldNotHaveHeader(name: String): ConsumerRecord<K, V> = apply { this shouldNot consumedHaveHeader(name) }

/** Asserts that the last header [name] of this consumed record holds [value] (a String as UTF-8, or bytes); returns it. */
public fun <K, V> ConsumerRecord<K, V>.shouldHaveHeader(
    name: String,
    value: Any?,
): ConsumerRecord<K, V> = apply { this should consumedHaveHeader(name, value) }

/** Asserts that this consumed record has exactly [headers]: those names, each once, with those values; returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldHaveExactHeaders(headers: Map<String, Any?>): ConsumerRecord<K, V> =
    apply { this should consumedHaveExactHeaders(headers) }

/** Asserts that this consumed record has every field [template] assigns; the failure lists each that differs. Returns it. */
public infix fun <K, V> ConsumerRecord<K, V>.shouldMatchRecord(template: RecordTemplate<K, V>.() -> Unit): ConsumerRecord<K, V> =
    apply { this should templateMatcher<ConsumerRecord<K, V>, K, V>(template) }

// ---- RecordMetadata ----

/** Asserts the metadata's topic; returns it. */
public infix fun RecordMetadata.shouldHaveTopic(topic: String): RecordMetadata = apply { this should metadataHaveTopic(topic) }

/** Asserts the metadata's partition; returns it. */
public infix fun RecordMetadata.shouldHavePartition(partition: Int): RecordMetadata = apply { this should metadataHavePartition(partition) }

/** Asserts the metadata is not of [partition]; returns it. */
public infix fun RecordMetadata.shouldNotHavePartition(partition: Int): RecordMetadata = apply { this shouldNot metadataHavePartition(partition) }

/** Asserts the metadata's offset (absent with `acks=0`); returns it. */
public infix fun RecordMetadata.shouldHaveOffset(offset: Long): RecordMetadata = apply { this should metadataHaveOffset(offset) }

/** Asserts the metadata's offset is not [offset]; returns it. */
public infix fun RecordMetadata.shouldNotHaveOffset(offset: Long): RecordMetadata = apply { this shouldNot metadataHaveOffset(offset) }
