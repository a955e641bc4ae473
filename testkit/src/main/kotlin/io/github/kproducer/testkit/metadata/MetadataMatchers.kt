@file:JvmName("MetadataMatchers")

package io.github.kproducer.testkit.metadata

import io.github.kproducer.testkit.internal.fieldMatcher
import io.kotest.matchers.Matcher
import org.apache.kafka.clients.producer.RecordMetadata

/*
 * The Matcher values of io.github.kproducer.testkit, typed for the RecordMetadata a send returns:
 * topic, partition and offset (a RecordMetadata has no key, value or headers). The shouldX sugar lives
 * in io.github.kproducer.testkit and serves RecordMetadata too.
 */

/** Matches metadata of a record sent to [topic]. */
public fun haveTopic(topic: String): Matcher<RecordMetadata> = fieldMatcher("topic", topic) { it.topic }

/** Matches metadata of a record stored in [partition]. */
public fun havePartition(partition: Int): Matcher<RecordMetadata> = fieldMatcher("partition", partition) { it.partition }

/** Matches metadata of a record stored at [offset] (metadata has no offset with `acks=0`). */
public fun haveOffset(offset: Long): Matcher<RecordMetadata> = fieldMatcher("offset", offset) { it.offset }
