package io.github.kproducer.testkit.assertj

import io.kotest.matchers.DiffableMatcherResult
import io.kotest.matchers.Matcher
import io.kotest.matchers.MatcherResult
import org.assertj.core.api.AbstractAssert

/**
 * The base of the test kit's AssertJ assertions: each check runs the Kotest matcher of the same name, so
 * that AssertJ and Kotest users read one message, produced in one place. A failure that knows its
 * expected and actual values reports them to AssertJ too (IDEs then offer a diff).
 *
 * Subclasses are open so that AssertJ's soft assertions can proxy them ([KafkaSoftAssertions]).
 */
public abstract class MatcherBackedAssert<SELF : MatcherBackedAssert<SELF, ACTUAL>, ACTUAL : Any> protected constructor(
    actual: ACTUAL?,
    selfType: Class<*>,
) : AbstractAssert<SELF, ACTUAL>(actual, selfType) {
    /** Fails, with the matcher's message, unless [matcher] accepts the actual value; returns this assertion for chaining. */
    protected fun satisfiesMatcher(
        matcher: Matcher<ACTUAL>,
        prefix: String = "",
    ): SELF = applyMatcher(matcher, prefix, negated = false)

    /** Fails, with the matcher's negated message, if [matcher] accepts the actual value. */
    protected fun notSatisfiesMatcher(
        matcher: Matcher<ACTUAL>,
        prefix: String = "",
    ): SELF = applyMatcher(matcher, prefix, negated = true)

    private fun applyMatcher(
        matcher: Matcher<ACTUAL>,
        prefix: String,
        negated: Boolean,
    ): SELF {
        isNotNull()
        reportMatcher(
            matcher.test(actual),
            prefix,
            negated,
            { failWithMessage("%s", it) },
            { actual, expected, message -> failWithActualExpectedAndMessage(actual, expected, "%s", message) },
        )
        return myself
    }
}

/**
 * Fails through AssertJ (so that descriptions, overriding messages and soft assertions work) when a
 * matcher's [result] does not pass in the [negated] sense: with the expected and actual values when the
 * result has them, so that IDEs offer a diff. "%s" keeps a message with a percent sign from being read
 * as a format. Shared by [MatcherBackedAssert] and the list assertions built on AssertJ's own.
 */
internal inline fun reportMatcher(
    result: MatcherResult,
    prefix: String,
    negated: Boolean,
    failWithMessage: (String) -> Unit,
    failWithValues: (actual: Any?, expected: Any?, message: String) -> Unit,
) {
    val values = result as? DiffableMatcherResult
    when {
        !negated && !result.passed() -> {
            val message = prefix + result.failureMessage()
            if (values == null) failWithMessage(message) else failWithValues(values.actual().value, values.expected().value, message)
        }

        negated && result.passed() -> {
            failWithMessage(prefix + result.negatedFailureMessage())
        }
    }
}

/** The test kit's matchers are typed for a receiver's supertype (`ProducerRecord<*, *>`); the assertions apply them to theirs. */
@Suppress("UNCHECKED_CAST")
internal fun <T> Matcher<*>.of(): Matcher<T> = this as Matcher<T>
