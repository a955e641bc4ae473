package io.github.kproducer.testkit.assertj

import io.kotest.matchers.DiffableMatcherResult
import io.kotest.matchers.Matcher
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
        val result = matcher.test(actual)
        when {
            !negated && !result.passed() -> fail(prefix + result.failureMessage(), result as? DiffableMatcherResult)
            negated && result.passed() -> fail(prefix + result.negatedFailureMessage(), null)
        }
        return myself
    }

    private fun fail(
        message: String,
        values: DiffableMatcherResult?,
    ) {
        // "%s" keeps a message with a percent sign from being read as a format.
        if (values == null) {
            failWithMessage("%s", message)
        } else {
            failWithActualExpectedAndMessage(values.actual().value, values.expected().value, "%s", message)
        }
    }
}

/** The test kit's matchers are typed for a receiver's supertype (`ProducerRecord<*, *>`); the assertions apply them to theirs. */
@Suppress("UNCHECKED_CAST")
internal fun <T> Matcher<*>.of(): Matcher<T> = this as Matcher<T>
