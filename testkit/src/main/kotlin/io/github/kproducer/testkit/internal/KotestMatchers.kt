package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.RecordTemplate
import io.kotest.assertions.print.Printed
import io.kotest.matchers.Matcher
import io.kotest.matchers.MatcherResult
import io.kotest.matchers.MatcherResultBuilder

/*
 * The record checks ([Check], RecordMatching.kt) as Kotest matchers: the only place of the matching that
 * knows Kotest, so that a Java class path with AssertJ and no Kotest loads none of it.
 */

/** This check as a Kotest [Matcher]; a verdict with values is diffable (Kotest then throws an `AssertionFailedError`). */
internal fun <T> Check<T>.asMatcher(): Matcher<T> = Matcher { value -> test(value).toMatcherResult() }

private fun Verdict.toMatcherResult(): MatcherResult {
    val expected = expected ?: return MatcherResult(passed, failure, negatedFailure)
    val actual = actual!!
    return MatcherResultBuilder
        .create(passed)
        .withValues({ Printed(expected()) }, { Printed(actual()) })
        .withFailureMessage(failure)
        .withNegatedFailureMessage(negatedFailure)
        .build()
}

internal fun <R> fieldMatcher(
    field: String,
    expected: Any?,
    extract: (RecordView) -> Any?,
): Matcher<R> = fieldCheck<R>(field, expected, extract).asMatcher()

internal fun <R> headerMatcher(name: String): Matcher<R> = headerCheck<R>(name).asMatcher()

internal fun <R> headerMatcher(
    name: String,
    value: Any?,
): Matcher<R> = headerCheck<R>(name, value).asMatcher()

internal fun <R> exactHeadersMatcher(headers: Map<String, Any?>): Matcher<R> = exactHeadersCheck<R>(headers).asMatcher()

internal fun <R, K, V> templateMatcher(template: RecordTemplate<K, V>.() -> Unit): Matcher<R> = templateCheck<R, K, V>(template).asMatcher()

internal fun <R> countMatcher(count: Int): Matcher<Iterable<R>> = countCheck<R>(count).asMatcher()

internal fun <R, K, V> containMatcher(template: RecordTemplate<K, V>.() -> Unit): Matcher<Iterable<R>> = containCheck<R, K, V>(template).asMatcher()

internal fun <R> containMatchingMatcher(predicate: (R) -> Boolean): Matcher<Iterable<R>> = containMatchingCheck(predicate).asMatcher()

internal fun <R> allOnTopicMatcher(topic: String): Matcher<Iterable<R>> = allOnTopicCheck<R>(topic).asMatcher()

internal fun <R> onePartitionPerKeyMatcher(): Matcher<Iterable<R>> = onePartitionPerKeyCheck<R>().asMatcher()

internal fun <R> orderPerKeyMatcher(sent: Iterable<*>): Matcher<Iterable<R>> = orderPerKeyCheck<R>(sent).asMatcher()

internal fun <R> noDuplicatesMatcher(): Matcher<Iterable<R>> = noDuplicatesCheck<R>().asMatcher()
