@file:JvmName("RecordsMatchers")

package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.RecordView
import io.kotest.matchers.Matcher
import io.kotest.matchers.MatcherResult
import io.kotest.matchers.should
import io.kotest.matchers.shouldNot
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord

/*
 * Matchers for many records: a mock producer's history, the ProducerRecords you built, or the
 * ConsumerRecords read back from a broker. Each is a Matcher value on Iterable<*> plus shouldX
 * sugar on the three receivers. Failure messages name the records involved; a template that
 * nothing matches shows the closest records with a field-by-field difference.
 */

private const val LISTED = 10

private fun listing(records: List<RecordView>): String =
    records.take(LISTED).joinToString("") { "\n  ${it.describe()}" } + if (records.size > LISTED) "\n  ... and ${records.size - LISTED} more" else ""

private fun views(records: Iterable<*>): List<RecordView> = records.map { RecordView.of(it) }

/** Matches exactly [count] records. */
public fun haveRecordCount(count: Int): Matcher<Iterable<*>> =
    Matcher { records ->
        val all = views(records)
        MatcherResult(
            all.size == count,
            { "Expected $count records but there were ${all.size}:${listing(all)}" },
            { "Expected a number of records other than $count" },
        )
    }

/** Matches when at least one record has every field of [template]; otherwise shows the closest ones. */
public fun containRecord(template: RecordTemplate.() -> Unit): Matcher<Iterable<*>> {
    val expected = RecordTemplate.of(template)
    return Matcher { records ->
        val all = views(records)
        val scored = all.map { it to expected.differences(it) }
        val matching = scored.filter { it.second.isEmpty() }.map { it.first }
        MatcherResult(
            matching.isNotEmpty(),
            {
                if (all.isEmpty()) {
                    "Expected a record matching $expected, but there were no records"
                } else {
                    "Expected a record matching $expected among ${all.size} records, but none matched. Closest:" +
                        scored.sortedBy { it.second.size }.take(3).joinToString("") { (view, diff) ->
                            "\n  ${view.describe()}" + diff.joinToString("") { "\n      $it" }
                        }
                }
            },
            { "Expected no record matching $expected, but ${matching.size} matched:${listing(matching)}" },
        )
    }
}

/** Matches when at least one record satisfies [predicate]. */
public fun <R> containRecordMatching(predicate: (R) -> Boolean): Matcher<Iterable<R>> =
    Matcher { records ->
        val list = records.toList()
        val matching = list.filter(predicate)
        MatcherResult(
            matching.isNotEmpty(),
            { "Expected a record satisfying the predicate among ${list.size} records, but none did:${listing(views(list))}" },
            { "Expected no record satisfying the predicate, but ${matching.size} did:${listing(views(matching))}" },
        )
    }

/** Matches when every record is on [topic]. */
public fun allBeOnTopic(topic: String): Matcher<Iterable<*>> =
    Matcher { records ->
        val others = views(records).filter { it.topic != topic }
        MatcherResult(
            others.isEmpty(),
            { "Expected every record on topic '$topic', but ${others.size} were not:${listing(others)}" },
            { "Expected some record outside topic '$topic', but all were on it" },
        )
    }

/** Matches when all records of a key (per topic) are in one partition, as Kafka's partitioning promises. */
public fun keepEachKeyInOnePartition(): Matcher<Iterable<*>> =
    Matcher { records ->
        val split =
            views(records)
                .filter { it.key != null }
                .groupBy { it.topic to keyIdentity(it.key) }
                .filterValues { group -> group.map { it.partition }.toSet().size > 1 }
        MatcherResult(
            split.isEmpty(),
            {
                "Expected each key in one partition, but ${split.size} keys were split:" +
                    split.entries.take(LISTED).joinToString("") { (topicKey, group) ->
                        "\n  key ${RecordView.show(group.first().key)} on ${topicKey.first} is in partitions " +
                            group.map { it.partition }.distinct().sortedBy { it ?: -1 }
                    }
            },
            { "Expected some key split across partitions, but every key is in one partition" },
        )
    }

/**
 * Matches when, for every key, these records hold the values in the order [sent] sent them (these
 * records in partition-then-offset order when they have offsets, else in iteration order).
 */
public fun preserveOrderPerKey(sent: Iterable<*>): Matcher<Iterable<*>> =
    Matcher { records ->
        val expected = valuesPerKey(views(sent))
        val actual = valuesPerKey(views(records).sortedWith(compareBy({ it.topic }, { it.partition ?: -1 }, { it.offset ?: -1 })))
        val keys = expected.keys + actual.keys
        val wrong = keys.filter { key -> !sameValues(expected[key].orEmpty(), actual[key].orEmpty()) }
        MatcherResult(
            wrong.isEmpty(),
            {
                "Expected the values of each key in the order they were sent, but ${wrong.size} keys differ:" +
                    wrong.take(LISTED).joinToString("") { key ->
                        "\n  key ${RecordView.show(key.value)}: sent ${expected[key].orEmpty().map(RecordView::show)}" +
                            " but found ${actual[key].orEmpty().map(RecordView::show)}"
                    }
            },
            { "Expected some key out of order, but every key kept its order" },
        )
    }

/** Matches when no two records have the same topic, key, value and headers (a retry that duplicated a record). */
public fun haveNoDuplicateRecords(): Matcher<Iterable<*>> =
    Matcher { records ->
        val duplicates =
            views(records)
                .groupBy { listOf(it.topic, keyIdentity(it.key), keyIdentity(it.value), it.headerMap.mapValues { (_, v) -> v.map(::keyIdentity) }) }
                .filterValues { it.size > 1 }
                .values
        MatcherResult(
            duplicates.isEmpty(),
            {
                "Expected no duplicate records, but ${duplicates.size} records appear more than once:" +
                    duplicates.take(LISTED).joinToString("") { group -> "\n  ${group.size} times: " + group.joinToString { it.describe() } }
            },
            { "Expected duplicate records, but every record is unique" },
        )
    }

/** A value usable as a map key: byte arrays by content. */
private fun keyIdentity(value: Any?): Any? = if (value is ByteArray) value.toList() else value

private class KeyIdentity(
    val value: Any?,
) {
    private val identity = keyIdentity(value)

    override fun equals(other: Any?): Boolean = other is KeyIdentity && other.identity == identity

    override fun hashCode(): Int = identity.hashCode()
}

private fun valuesPerKey(records: List<RecordView>): Map<KeyIdentity, List<Any?>> = records.groupBy({ KeyIdentity(it.key) }, { it.value })

private fun sameValues(
    a: List<Any?>,
    b: List<Any?>,
): Boolean = a.size == b.size && a.indices.all { RecordView.same(a[it], b[it]) }

// ---- sugar: a mock producer's history ----

/** Asserts the mock was handed exactly [count] records; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldHaveSent(count: Int): MockKafkaProducer<K, V> = apply { history() should haveRecordCount(count) }

/** Asserts the mock was handed a record with every field of [template]; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldHaveSent(template: RecordTemplate.() -> Unit): MockKafkaProducer<K, V> =
    apply { history() should containRecord(template) }

/** Asserts the mock was handed no record with every field of [template]; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldNotHaveSent(template: RecordTemplate.() -> Unit): MockKafkaProducer<K, V> =
    apply { history() shouldNot containRecord(template) }

/** Asserts the mock was handed a record satisfying [predicate]; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldHaveSentMatching(predicate: (ProducerRecord<K, V>) -> Boolean): MockKafkaProducer<K, V> =
    apply { history() should containRecordMatching(predicate) }

/** Asserts every record handed to the mock was for [topic]; returns it. */
public infix fun <K, V> MockKafkaProducer<K, V>.shouldAllBeOnTopic(topic: String): MockKafkaProducer<K, V> = apply { history() should allBeOnTopic(topic) }

/** Asserts each key went to one partition; returns the mock. */
public fun <K, V> MockKafkaProducer<K, V>.shouldKeepEachKeyInOnePartition(): MockKafkaProducer<K, V> = apply { history() should keepEachKeyInOnePartition() }

/** Asserts no record was handed over twice; returns the mock. */
public fun <K, V> MockKafkaProducer<K, V>.shouldHaveNoDuplicates(): MockKafkaProducer<K, V> = apply { history() should haveNoDuplicateRecords() }

// ---- sugar: ProducerRecords ----

/** Asserts there are exactly [count] records; returns them. */
public infix fun <K, V> Iterable<ProducerRecord<K, V>>.shouldHaveSent(count: Int): Iterable<ProducerRecord<K, V>> = apply { this should haveRecordCount(count) }

/** Asserts a record has every field of [template]; returns the records. */
public infix fun <K, V> Iterable<ProducerRecord<K, V>>.shouldHaveSent(template: RecordTemplate.() -> Unit): Iterable<ProducerRecord<K, V>> =
    apply { this should containRecord(template) }

/** Asserts no record has every field of [template]; returns the records. */
public infix fun <K, V> Iterable<ProducerRecord<K, V>>.shouldNotHaveSent(template: RecordTemplate.() -> Unit): Iterable<ProducerRecord<K, V>> =
    apply { this shouldNot containRecord(template) }

/** Asserts a record satisfies [predicate]; returns the records. */
public infix fun <K, V> Iterable<ProducerRecord<K, V>>.shouldHaveSentMatching(predicate: (ProducerRecord<K, V>) -> Boolean): Iterable<ProducerRecord<K, V>> =
    apply { this should containRecordMatching(predicate) }

/** Asserts every record is on [topic]; returns the records. */
public infix fun <K, V> Iterable<ProducerRecord<K, V>>.shouldAllBeOnTopic(topic: String): Iterable<ProducerRecord<K, V>> =
    apply { this should allBeOnTopic(topic) }

/** Asserts each key is in one partition; returns the records. */
public fun <K, V> Iterable<ProducerRecord<K, V>>.shouldKeepEachKeyInOnePartition(): Iterable<ProducerRecord<K, V>> =
    apply { this should keepEachKeyInOnePartition() }

/** Asserts each key's values are in the order [sent] has them; returns the records. */
public infix fun <K, V> Iterable<ProducerRecord<K, V>>.shouldPreserveOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): Iterable<ProducerRecord<K, V>> =
    apply { this should preserveOrderPerKey(sent) }

/** Asserts no record appears twice; returns the records. */
public fun <K, V> Iterable<ProducerRecord<K, V>>.shouldHaveNoDuplicates(): Iterable<ProducerRecord<K, V>> = apply { this should haveNoDuplicateRecords() }

// ---- sugar: ConsumerRecords read back ----

/** Asserts there are exactly [count] records; returns them. */
@JvmName("shouldHaveSentConsumerRecords")
public infix fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldHaveSent(count: Int): Iterable<ConsumerRecord<K, V>> = apply { this should haveRecordCount(count) }

/** Asserts a record has every field of [template]; returns the records. */
@JvmName("shouldHaveSentConsumerRecord")
public infix fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldHaveSent(template: RecordTemplate.() -> Unit): Iterable<ConsumerRecord<K, V>> =
    apply { this should containRecord(template) }

/** Asserts no record has every field of [template]; returns the records. */
@JvmName("shouldNotHaveSentConsumerRecord")
public infix fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldNotHaveSent(template: RecordTemplate.() -> Unit): Iterable<ConsumerRecord<K, V>> =
    apply { this shouldNot containRecord(template) }

/** Asserts a record satisfies [predicate]; returns the records. */
@JvmName("shouldHaveSentMatchingConsumerRecord")
public infix fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldHaveSentMatching(predicate: (ConsumerRecord<K, V>) -> Boolean): Iterable<ConsumerRecord<K, V>> =
    apply { this should containRecordMatching(predicate) }

/** Asserts every record is on [topic]; returns the records. */
@JvmName("shouldAllBeOnTopicConsumerRecords")
public infix fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldAllBeOnTopic(topic: String): Iterable<ConsumerRecord<K, V>> =
    apply { this should allBeOnTopic(topic) }

/** Asserts each key is in one partition; returns the records. */
@JvmName("shouldKeepEachKeyInOnePartitionConsumerRecords")
public fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldKeepEachKeyInOnePartition(): Iterable<ConsumerRecord<K, V>> =
    apply { this should keepEachKeyInOnePartition() }

/** Asserts each key's values are, in partition-then-offset order, in the order [sent] sent them; returns the records. */
@JvmName("shouldPreserveOrderPerKeyConsumerRecords")
public infix fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldPreserveOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): Iterable<ConsumerRecord<K, V>> =
    apply { this should preserveOrderPerKey(sent) }

/** Asserts no record appears twice; returns the records. */
@JvmName("shouldHaveNoDuplicatesConsumerRecords")
public fun <K, V> Iterable<ConsumerRecord<K, V>>.shouldHaveNoDuplicates(): Iterable<ConsumerRecord<K, V>> = apply { this should haveNoDuplicateRecords() }
