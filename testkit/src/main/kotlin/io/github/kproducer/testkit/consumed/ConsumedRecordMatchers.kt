@file:JvmName("ConsumedRecordMatchers")

package io.github.kproducer.testkit.consumed

import io.github.kproducer.testkit.RecordTemplate
import io.github.kproducer.testkit.internal.allOnTopicMatcher
import io.github.kproducer.testkit.internal.containMatcher
import io.github.kproducer.testkit.internal.containMatchingMatcher
import io.github.kproducer.testkit.internal.countMatcher
import io.github.kproducer.testkit.internal.exactHeadersMatcher
import io.github.kproducer.testkit.internal.fieldMatcher
import io.github.kproducer.testkit.internal.headerMatcher
import io.github.kproducer.testkit.internal.noDuplicatesMatcher
import io.github.kproducer.testkit.internal.onePartitionPerKeyMatcher
import io.github.kproducer.testkit.internal.orderPerKeyMatcher
import io.github.kproducer.testkit.internal.templateMatcher
import io.kotest.matchers.Matcher
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord

/*
 * The Matcher values of io.github.kproducer.testkit, typed for ConsumerRecords: the records read back
 * from a broker (EmbeddedKafka.read, readStrings, ...). Same names, same checks, same messages; the
 * shouldX sugar lives in io.github.kproducer.testkit and serves ConsumerRecords too.
 */

/** Matches a ConsumerRecord on [topic]. */
public fun haveTopic(topic: String): Matcher<ConsumerRecord<*, *>> = fieldMatcher("topic", topic) { it.topic }

/** Matches a ConsumerRecord whose key is [key]. */
public fun haveKey(key: Any?): Matcher<ConsumerRecord<*, *>> = fieldMatcher("key", key) { it.key }

/** Matches a ConsumerRecord whose value is [value]. */
public fun haveValue(value: Any?): Matcher<ConsumerRecord<*, *>> = fieldMatcher("value", value) { it.value }

/** Matches a ConsumerRecord read from [partition]. */
public fun havePartition(partition: Int): Matcher<ConsumerRecord<*, *>> = fieldMatcher("partition", partition) { it.partition }

/** Matches a ConsumerRecord at [offset]. */
public fun haveOffset(offset: Long): Matcher<ConsumerRecord<*, *>> = fieldMatcher("offset", offset) { it.offset }

/** Matches a ConsumerRecord whose timestamp is [timestamp] (milliseconds since the epoch). */
public fun haveTimestamp(timestamp: Long): Matcher<ConsumerRecord<*, *>> = fieldMatcher("timestamp", timestamp) { it.timestamp }

/** Matches a ConsumerRecord with at least one header named [name]. */
public fun haveHeader(name: String): Matcher<ConsumerRecord<*, *>> = headerMatcher(name)

/** Matches a ConsumerRecord whose last header named [name] has [value] (a String in UTF-8, or a ByteArray). */
public fun haveHeader(
    name: String,
    value: Any?,
): Matcher<ConsumerRecord<*, *>> = headerMatcher(name, value)

/** Matches a ConsumerRecord whose headers are exactly [headers]: the same names, each once, with these values. */
public fun haveExactHeaders(headers: Map<String, Any?>): Matcher<ConsumerRecord<*, *>> = exactHeadersMatcher(headers)

/** Matches a ConsumerRecord that has every field assigned in [template]; the failure lists each differing field. */
public fun matchRecord(template: RecordTemplate<Any?, Any?>.() -> Unit): Matcher<ConsumerRecord<*, *>> = templateMatcher(template)

// ---- many records read back ----

/** Matches exactly [count] records read back. */
public fun haveSent(count: Int): Matcher<Iterable<ConsumerRecord<*, *>>> = countMatcher(count)

/** Matches when at least one record read back has every field of [template]; otherwise shows the closest ones. */
public fun haveSent(template: RecordTemplate<Any?, Any?>.() -> Unit): Matcher<Iterable<ConsumerRecord<*, *>>> = containMatcher(template)

/** Matches when at least one record read back satisfies [predicate]. */
public fun <R : ConsumerRecord<*, *>> haveSentMatching(predicate: (R) -> Boolean): Matcher<Iterable<R>> = containMatchingMatcher(predicate)

/** Matches when every record read back is on [topic]. */
public fun allBeOnTopic(topic: String): Matcher<Iterable<ConsumerRecord<*, *>>> = allOnTopicMatcher(topic)

/** Matches when all records of a key (per topic) were read from one partition, as Kafka's partitioning promises. */
public fun keepEachKeyInOnePartition(): Matcher<Iterable<ConsumerRecord<*, *>>> = onePartitionPerKeyMatcher()

/**
 * Matches when, for every key, the records read back (in partition-then-offset order) hold the values
 * in the order [sent] sent them.
 */
public fun preserveOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): Matcher<Iterable<ConsumerRecord<*, *>>> = orderPerKeyMatcher(sent)

/** Matches when no two records read back have the same topic, key, value and headers (a retry that duplicated a record). */
public fun haveNoDuplicates(): Matcher<Iterable<ConsumerRecord<*, *>>> = noDuplicatesMatcher()
