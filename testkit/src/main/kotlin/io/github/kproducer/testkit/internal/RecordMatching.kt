package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.RecordTemplate

/*
 * What every record check does, once. The public Kotest matchers (RecordMatchers, RecordsMatchers,
 * ConsumerRecordsMatchers, through KotestMatchers.kt) and the AssertJ assertions use these as they are.
 * A check takes any value (`Check<Any?>`, `Check<Iterable<*>>`) and reads the fields it needs through
 * RecordView, which accepts ProducerRecord, ConsumerRecord and RecordMetadata and names the type and
 * the field when given anything else; compile-time safety is the job of the typed shouldX sugar and
 * AssertJ classes.
 */

/**
 * The outcome of one of the test kit's checks: whether it [passed], the message for a failure and for
 * a failure of its negation (built lazily), and, where the check compares two values, the [expected]
 * and [actual] ones for an IDE's diff. What Kotest's `MatcherResult` holds, without Kotest: the AssertJ
 * assertions use it directly, so that a pure JUnit class path needs no Kotest.
 */
internal class Verdict(
    val passed: Boolean,
    val failure: () -> String,
    val negatedFailure: () -> String,
    val expected: (() -> String)? = null,
    val actual: (() -> String)? = null,
)

/** One check of the test kit on a [T]: the logic behind a Kotest matcher ([asMatcher]) and an AssertJ assertion alike. */
internal fun interface Check<in T> {
    fun test(value: T): Verdict
}

/** A [Verdict] that carries [expected] and [actual] for the IDE's diff; messages stay lazy for both polarities. */
internal fun diffable(
    passed: Boolean,
    expected: () -> String,
    actual: () -> String,
    failure: () -> String,
    negatedFailure: () -> String,
): Verdict = Verdict(passed, failure, negatedFailure, expected, actual)

// ---- one record ----

/** The check that [field] (`topic`, `key`, ...) of a record is [expected]. */
internal fun fieldCheck(
    field: String,
    expected: Any?,
): Check<Any?> =
    Check { record ->
        val view = RecordView.of(record, field)
        val actual = view.field(field)
        diffable(
            RecordView.same(expected, actual),
            { RecordView.full(expected) },
            { RecordView.full(actual) },
            {
                val (shownExpected, shownActual) = RecordView.showMismatch(expected, actual)
                "Record ${view.describe()} should have $field $shownExpected but had $shownActual"
            },
            { "Record ${view.describe()} should not have $field ${RecordView.show(expected)}" },
        )
    }

internal fun headerCheck(name: String): Check<Any?> =
    Check { record ->
        val view = RecordView.of(record, "headers")
        Verdict(
            name in view.headerMap,
            { "Record ${view.describe()} should have a header '$name' but its headers are ${view.headerMap.keys}" },
            { "Record ${view.describe()} should not have a header '$name'" },
        )
    }

internal fun headerCheck(
    name: String,
    value: Any?,
): Check<Any?> =
    Check { record ->
        val view = RecordView.of(record, "headers")
        val values = view.headerMap[name]
        val negated = { "Record ${view.describe()} should not have a header '$name' = ${RecordView.show(value)}" }
        if (values == null) {
            Verdict(
                false,
                { "Record ${view.describe()} should have a header '$name' = ${RecordView.show(value)} but has no such header" },
                negated,
            )
        } else {
            diffable(
                RecordView.same(value, values.last()),
                { RecordView.full(value) },
                { RecordView.full(values.last()) },
                {
                    val (shownExpected, shownActual) = RecordView.showMismatch(value, values.last())
                    "Record ${view.describe()} should have a header '$name' = $shownExpected but it was $shownActual"
                },
                negated,
            )
        }
    }

internal fun exactHeadersCheck(headers: Map<String, Any?>): Check<Any?> =
    Check { record ->
        val view = RecordView.of(record, "headers")
        val actual = view.headerMap
        val same = actual.keys == headers.keys && actual.all { (name, values) -> values.size == 1 && RecordView.same(headers[name], values[0]) }
        val shown = headers.mapValues { RecordView.show(it.value) }
        diffable(
            same,
            { shown.toString() },
            { actual.mapValues { (_, values) -> values.singleOrNull()?.let(RecordView::show) ?: values.map(RecordView::show) }.toString() },
            { "Record ${view.describe()} should have exactly the headers $shown" },
            { "Record ${view.describe()} should not have exactly the headers $shown" },
        )
    }

internal fun <K, V> templateCheck(template: RecordTemplate<K, V>.() -> Unit): Check<Any?> {
    val expected = RecordTemplate.of(template)
    return Check { record ->
        val view = RecordView.of(record, expected.fields())
        val differences = expected.differences(view)
        diffable(
            differences.isEmpty(),
            { expected.fullString() },
            { expected.fieldsOf(view) },
            { "Record ${view.describe()} should match $expected but:\n" + differences.joinToString("\n") { "  $it" } },
            { "Record ${view.describe()} should not match $expected" },
        )
    }
}

// ---- many records ----

private const val LISTED = 10

private fun listing(records: List<RecordView>): String =
    records.take(LISTED).joinToString("") { "\n  ${it.describe()}" } + if (records.size > LISTED) "\n  ... and ${records.size - LISTED} more" else ""

/** The records as a check that reads [fields] of each sees them; see [RecordView.of]. */
private fun views(
    records: Iterable<*>,
    vararg fields: String,
): List<RecordView> = records.map { RecordView.of(it, fields.asList()) }

internal fun countCheck(count: Int): Check<Iterable<*>> =
    Check { records ->
        val all = views(records)
        diffable(
            all.size == count,
            { count.toString() },
            { all.size.toString() },
            { "Expected $count records but there were ${all.size}:${listing(all)}" },
            { "Expected a number of records other than $count" },
        )
    }

internal fun <K, V> containCheck(template: RecordTemplate<K, V>.() -> Unit): Check<Iterable<*>> {
    val expected = RecordTemplate.of(template)
    return Check { records ->
        val all = records.map { RecordView.of(it, expected.fields()) }
        val scored = all.map { it to expected.differences(it) }.sortedBy { it.second.size }
        val matching = scored.filter { it.second.isEmpty() }.map { it.first }
        val failure = {
            if (all.isEmpty()) {
                "Expected a record matching $expected, but there were no records"
            } else {
                "Expected a record matching $expected among ${all.size} records, but none matched. Closest:" +
                    scored.take(3).joinToString("") { (view, diff) ->
                        "\n  ${view.describe()}" + diff.joinToString("") { "\n      $it" }
                    }
            }
        }
        val negated = { "Expected no record matching $expected, but ${matching.size} matched:${listing(matching)}" }
        if (all.isEmpty()) {
            Verdict(false, failure, negated)
        } else {
            diffable(matching.isNotEmpty(), { expected.toString() }, { expected.fieldsOf(scored.first().first) }, failure, negated)
        }
    }
}

internal fun <R> containMatchingCheck(predicate: (R) -> Boolean): Check<Iterable<R>> =
    Check { records ->
        val list = records.toList()
        val all = views(list)
        val matching = list.indices.filter { predicate(list[it]) }.map { all[it] }
        Verdict(
            matching.isNotEmpty(),
            { "Expected a record satisfying the predicate among ${list.size} records, but none did:${listing(all)}" },
            { "Expected no record satisfying the predicate, but ${matching.size} did:${listing(matching)}" },
        )
    }

internal fun allOnTopicCheck(topic: String): Check<Iterable<*>> =
    Check { records ->
        val all = views(records, "topic")
        val others = all.filter { it.topic != topic }
        diffable(
            others.isEmpty(),
            { listOf(topic).toString() },
            { all.map { it.topic }.distinct().toString() },
            { "Expected every record on topic '$topic', but ${others.size} were not:${listing(others)}" },
            { "Expected some record outside topic '$topic', but all were on it" },
        )
    }

internal fun onePartitionPerKeyCheck(): Check<Iterable<*>> =
    Check { records ->
        val split =
            views(records, "key", "partition")
                .filter { it.key != null }
                .groupBy { it.topic to keyIdentity(it.key) }
                .filterValues { group -> group.map { it.partition }.toSet().size > 1 }
        Verdict(
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

internal fun orderPerKeyCheck(sent: Iterable<*>): Check<Iterable<*>> =
    Check { records ->
        val expected = valuesPerKey(views(sent, "key", "value"))
        // Sorted by offset where the records have one (read back); a list of ProducerRecords keeps its order.
        val actual = valuesPerKey(views(records, "key", "value").sortedWith(compareBy({ it.topic }, { it.partition ?: -1 }, { it.offset ?: -1 })))
        val keys = expected.keys + actual.keys
        val wrong = keys.filter { key -> !sameValues(expected[key].orEmpty(), actual[key].orEmpty()) }

        fun shown(values: Map<KeyIdentity, List<Any?>>) =
            wrong
                .take(LISTED)
                .associate {
                    RecordView.show(it.value) to values[it].orEmpty().map(RecordView::show)
                }.toString()
        diffable(
            wrong.isEmpty(),
            { shown(expected) },
            { shown(actual) },
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

internal fun noDuplicatesCheck(): Check<Iterable<*>> =
    Check { records ->
        val duplicates =
            views(records, "key", "value", "headers")
                .groupBy { listOf(it.topic, keyIdentity(it.key), keyIdentity(it.value), it.headerMap.mapValues { (_, v) -> v.map(::keyIdentity) }) }
                .filterValues { it.size > 1 }
                .values
        Verdict(
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
