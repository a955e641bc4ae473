@file:JvmName("ConsumerRecordsMatchers")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.asMatcher
import io.github.kproducer.testkit.internal.containCheck
import io.kotest.matchers.should
import io.kotest.matchers.shouldNot
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord

/*
 * The many-record sugar for ConsumerRecords read back from a broker (EmbeddedKafka.readStrings, readAll,
 * a probe's records), with the Matcher values of RecordsMatchers.kt. A file of its own only for the JVM:
 * Iterable<ConsumerRecord> and Iterable<ProducerRecord> erase to the same Iterable, so the two sugars
 * of one name cannot share a class file, and separate facades spare them mangled JVM names.
 */

/** Asserts that there are exactly [count] records; returns them, as the receiver's own type (a `List` stays a `List`). */
public infix fun <C : Iterable<ConsumerRecord<*, *>>> C.shouldHaveSent(count: Int): C = apply { this should haveSent(count) }

/** Asserts that a record has every field of [template]; returns the records. */
@JvmSynthetic
public infix fun <C : Iterable<ConsumerRecord<K, V>>, K, V> C.shouldHaveSent(template: RecordTemplate<K, V>.() -> Unit): C =
    apply { this should containCheck(template).asMatcher() }

/** Asserts that no record has every field of [template]; returns the records. */
@JvmSynthetic
public infix fun <C : Iterable<ConsumerRecord<K, V>>, K, V> C.shouldNotHaveSent(template: RecordTemplate<K, V>.() -> Unit): C =
    apply { this shouldNot containCheck(template).asMatcher() }

/** Asserts that a record satisfies [predicate]; returns the records. */
@JvmSynthetic
public infix fun <C : Iterable<ConsumerRecord<K, V>>, K, V> C.shouldHaveSentMatching(predicate: (ConsumerRecord<K, V>) -> Boolean): C =
    apply { this should haveSentMatching(predicate) }

/** Asserts that every record is on [topic]; returns the records. */
public infix fun <C : Iterable<ConsumerRecord<*, *>>> C.shouldAllBeOnTopic(topic: String): C = apply { this should allBeOnTopic(topic) }

/** Asserts that each key was read from one partition; returns the records. */
public fun <C : Iterable<ConsumerRecord<*, *>>> C.shouldKeepEachKeyInOnePartition(): C = apply { this should keepEachKeyInOnePartition() }

/** Asserts that each key's values are, in partition-then-offset order, in the order [sent] sent them; returns the records. */
public infix fun <C : Iterable<ConsumerRecord<*, *>>> C.shouldPreserveOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): C =
    apply { this should preserveOrderPerKey(sent) }

/** Asserts that no record appears twice; returns the records. */
public fun <C : Iterable<ConsumerRecord<*, *>>> C.shouldHaveNoDuplicates(): C = apply { this should haveNoDuplicates() }
