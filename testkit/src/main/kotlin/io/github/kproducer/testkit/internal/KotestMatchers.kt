package io.github.kproducer.testkit.internal

import io.kotest.assertions.print.Printed
import io.kotest.matchers.Matcher
import io.kotest.matchers.MatcherResult
import io.kotest.matchers.MatcherResultBuilder

/*
 * The record checks ([Check], RecordMatching.kt) as Kotest matchers: with the public Kotest files that
 * call it, the only place of the matching that knows Kotest, so that a Java class path with AssertJ and
 * no Kotest loads none of it.
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
