@file:JvmName("RecordsMatchers")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.allOnTopicCheck
import io.github.kproducer.testkit.internal.asMatcher
import io.github.kproducer.testkit.internal.containCheck
import io.github.kproducer.testkit.internal.containMatchingCheck
import io.github.kproducer.testkit.internal.countCheck
import io.github.kproducer.testkit.internal.describe
import io.github.kproducer.testkit.internal.noDuplicatesCheck
import io.github.kproducer.testkit.internal.onePartitionPerKeyCheck
import io.github.kproducer.testkit.internal.orderPerKeyCheck
import io.kotest.matchers.Matcher
import io.kotest.matchers.should
import io.kotest.matchers.shouldNot
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/*
 * Matchers for many records: a mock producer's history, the ProducerRecords you built, or the
 * ConsumerRecords read back from a broker, paired as Kotest pairs them (`haveSent` / `shouldHaveSent`).
 * The Matcher values here serve any Iterable of records (`Matcher<Iterable<*>>`); the shouldX sugar
 * is typed: here for the mock and Iterable<ProducerRecord>, in ConsumerRecordsMatchers.kt for
 * Iterable<ConsumerRecord>. Failure messages name the records involved; a template that nothing
 * matches shows the closest records with a field-by-field difference, and a failure that compares two
 * values carries them as expected and actual.
 */

/**
 * Matches exactly [count] records: ProducerRecords, ConsumerRecords or RecordMetadata.
 *
 * Like the one-record values (see [haveTopic]), every many-record Matcher value but [haveSentMatching]
 * is a `Matcher<Iterable<*>>`, one value for a list of any of the three record types, that composes
 * with `and` / `or` without type arguments; an element that is no record, or a record without a field
 * the check reads, throws an [IllegalArgumentException] naming the type and the field.
 */
public fun haveSent(count: Int): Matcher<Iterable<*>> = countCheck(count).asMatcher()

/** Matches when at least one record has every field of [template]; otherwise shows the closest ones. A `Matcher<Iterable<*>>`, as [haveSent] explains. */
@JvmSynthetic
public fun haveSent(template: RecordTemplate<Any?, Any?>.() -> Unit): Matcher<Iterable<*>> = containCheck(template).asMatcher()

/**
 * Matches when at least one record satisfies [predicate]; [R] is the element type, so the predicate
 * reads the records as they are typed (`received should haveSentMatching { it.value() == "paid" }`).
 */
@JvmSynthetic
public fun <R> haveSentMatching(predicate: (R) -> Boolean): Matcher<Iterable<R>> = containMatchingCheck(predicate).asMatcher()

/** Matches when every record is on [topic]. A `Matcher<Iterable<*>>`, as [haveSent] explains. */
public fun allBeOnTopic(topic: String): Matcher<Iterable<*>> = allOnTopicCheck(topic).asMatcher()

/**
 * Matches when all records of a key (per topic) are in one partition, as Kafka's partitioning promises.
 * A `Matcher<Iterable<*>>` for ProducerRecords and ConsumerRecords, as [haveSent] explains.
 */
public fun keepEachKeyInOnePartition(): Matcher<Iterable<*>> = onePartitionPerKeyCheck().asMatcher()

/**
 * Matches when, for every key, these records hold the values in the order [sent] sent them: records
 * read back in partition-then-offset order, ProducerRecords partition by partition in iteration order.
 * A `Matcher<Iterable<*>>` for ProducerRecords and ConsumerRecords, as [haveSent] explains.
 */
public fun preserveOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): Matcher<Iterable<*>> = orderPerKeyCheck(sent).asMatcher()

/**
 * Matches when no two records have the same topic, key, value and headers (a retry that duplicated a
 * record). A `Matcher<Iterable<*>>` for ProducerRecords and ConsumerRecords, as [haveSent] explains.
 */
public fun haveNoDuplicates(): Matcher<Iterable<*>> = noDuplicatesCheck().asMatcher()

// ---- sugar: a mock producer's history ----

/** Asserts the mock was handed exactly [count] records; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldHaveSent(count: Int): MockKafkaProducer<K, V> = apply { history() should haveSent(count) }

/** Asserts the mock was handed a record with every field of [template]; returns it. */
@JvmSynthetic
public infix fun <K, V> MockKafkaProducer<K, V>.shouldHaveSent(template: RecordTemplate<K, V>.() -> Unit): MockKafkaProducer<K, V> =
    apply { history() should containCheck(template).asMatcher() }

/** Asserts the mock was handed no record with every field of [template]; returns it. */
@JvmSynthetic
public infix fun <K, V> MockKafkaProducer<K, V>.shouldNotHaveSent(template: RecordTemplate<K, V>.() -> Unit): MockKafkaProducer<K, V> =
    apply { history() shouldNot containCheck(template).asMatcher() }

/** Asserts the mock was handed a record satisfying [predicate]; returns it. */
@JvmSynthetic
public infix fun <K, V> MockKafkaProducer<K, V>.shouldHaveSentMatching(predicate: (ProducerRecord<K, V>) -> Boolean): MockKafkaProducer<K, V> =
    apply { history() should haveSentMatching(predicate) }

/** Asserts every record handed to the mock was for [topic]; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldAllBeOnTopic(topic: String): MockKafkaProducer<K, V> = apply { history() should allBeOnTopic(topic) }

/** Asserts each key went to one partition; returns the mock. */
public fun <K, V> MockKafkaProducer<K, V>.shouldKeepEachKeyInOnePartition(): MockKafkaProducer<K, V> = apply { history() should keepEachKeyInOnePartition() }

/** Asserts no record was handed over twice; returns the mock. */
public fun <K, V> MockKafkaProducer<K, V>.shouldHaveNoDuplicates(): MockKafkaProducer<K, V> = apply { history() should haveNoDuplicates() }

/**
 * Asserts that nothing is handed to the mock within [within] from now, and returns it: waits for
 * [within] and compares the history with its size at the call.
 *
 * Suspends for [within] in real time (also under a test dispatcher's virtual time); cancellation ends the wait.
 *
 * @throws AssertionError naming every record sent during the wait.
 */
@JvmSynthetic
public suspend fun <K, V> MockKafkaProducer<K, V>.shouldSendNothingWithin(within: Duration): MockKafkaProducer<K, V> {
    val before = history().size
    withContext(Dispatchers.Default) { delay(within) }
    return apply { checkNothingSentSince(before, within) }
}

/**
 * Java form of [shouldSendNothingWithin]: blocks the calling thread for [within], then asserts that
 * nothing was handed to the mock since the call; returns it.
 *
 * @throws AssertionError naming every record sent during the wait.
 */
public fun <K, V> MockKafkaProducer<K, V>.shouldSendNothingWithin(within: java.time.Duration): MockKafkaProducer<K, V> {
    val before = history().size
    Thread.sleep(within.toMillis())
    return apply { checkNothingSentSince(before, within.toKotlinDuration()) }
}

private fun MockKafkaProducer<*, *>.checkNothingSentSince(
    before: Int,
    within: Duration,
) {
    val history = history()
    if (history.size < before) throw AssertionError("The mock's history was cleared during shouldSendNothingWithin($within)")
    val arrived = history.drop(before)
    if (arrived.isNotEmpty()) {
        throw AssertionError(
            "Expected nothing sent within $within, but ${arrived.size} records were sent:" + arrived.joinToString("") { "\n  " + describe(it) },
        )
    }
}

// ---- sugar: ProducerRecords (for ConsumerRecords: ConsumerRecordsMatchers.kt) ----

/** Asserts that there are exactly [count] records; returns them, as the receiver's own type (a `List` stays a `List`). */
public infix fun <C : Iterable<ProducerRecord<*, *>>> C.shouldHaveSent(count: Int): C = apply { this should haveSent(count) }

/** Asserts that a record has every field of [template]; returns the records. */
@JvmSynthetic
public infix fun <C : Iterable<ProducerRecord<K, V>>, K, V> C.shouldHaveSent(template: RecordTemplate<K, V>.() -> Unit): C =
    apply { this should containCheck(template).asMatcher() }

/** Asserts that no record has every field of [template]; returns the records. */
@JvmSynthetic
public infix fun <C : Iterable<ProducerRecord<K, V>>, K, V> C.shouldNotHaveSent(template: RecordTemplate<K, V>.() -> Unit): C =
    apply { this shouldNot containCheck(template).asMatcher() }

/** Asserts that a record satisfies [predicate]; returns the records. */
@JvmSynthetic
public infix fun <C : Iterable<ProducerRecord<K, V>>, K, V> C.shouldHaveSentMatching(predicate: (ProducerRecord<K, V>) -> Boolean): C =
    apply { this should haveSentMatching(predicate) }

/** Asserts that every record is on [topic]; returns the records. */
public infix fun <C : Iterable<ProducerRecord<*, *>>> C.shouldAllBeOnTopic(topic: String): C = apply { this should allBeOnTopic(topic) }

/** Asserts that each key is in one partition; returns the records. */
public fun <C : Iterable<ProducerRecord<*, *>>> C.shouldKeepEachKeyInOnePartition(): C = apply { this should keepEachKeyInOnePartition() }

/** Asserts that each key's values are in the order [sent] has them; returns the records. */
public infix fun <C : Iterable<ProducerRecord<*, *>>> C.shouldPreserveOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): C =
    apply { this should preserveOrderPerKey(sent) }

/** Asserts that no record appears twice; returns the records. */
public fun <C : Iterable<ProducerRecord<*, *>>> C.shouldHaveNoDuplicates(): C = apply { this should haveNoDuplicates() }
