package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.internal.Check
import io.github.kproducer.testkit.internal.Verdict
import org.assertj.core.api.AbstractAssert

/**
 * The base of the test kit's AssertJ assertions: each runs the check behind the Kotest matcher of the
 * same name, so that AssertJ and Kotest users read one message, produced in one place, and a Java class
 * path needs no Kotest. A failure that knows its expected and actual values reports them to AssertJ too
 * (IDEs then offer a diff).
 *
 * Subclasses are open so that AssertJ's soft assertions can proxy them ([KafkaSoftAssertions]).
 */
public abstract class MatcherBackedAssert<SELF : MatcherBackedAssert<SELF, ACTUAL>, ACTUAL : Any> protected constructor(
    actual: ACTUAL?,
    selfType: Class<*>,
) : AbstractAssert<SELF, ACTUAL>(actual, selfType) {
    /** Fails, with the check's message, unless [check] passes for the actual value; returns this assertion for chaining. */
    internal fun satisfies(
        check: Check<ACTUAL>,
        prefix: String = "",
    ): SELF = apply(check, prefix, negated = false)

    /** Fails, with the check's negated message, if [check] passes for the actual value. */
    internal fun notSatisfies(
        check: Check<ACTUAL>,
        prefix: String = "",
    ): SELF = apply(check, prefix, negated = true)

    private fun apply(
        check: Check<ACTUAL>,
        prefix: String,
        negated: Boolean,
    ): SELF {
        isNotNull()
        report(
            check.test(actual),
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
 * check's [verdict] does not pass in the [negated] sense: with the expected and actual values when the
 * verdict has them, so that IDEs offer a diff. "%s" keeps a message with a percent sign from being read
 * as a format. Shared by [MatcherBackedAssert] and the list assertions built on AssertJ's own.
 */
internal inline fun report(
    verdict: Verdict,
    prefix: String,
    negated: Boolean,
    failWithMessage: (String) -> Unit,
    failWithValues: (actual: Any?, expected: Any?, message: String) -> Unit,
) {
    when {
        !negated && !verdict.passed -> {
            val message = prefix + verdict.failure()
            val expected = verdict.expected
            if (expected == null) failWithMessage(message) else failWithValues(verdict.actual!!(), expected(), message)
        }

        negated && verdict.passed -> {
            failWithMessage(prefix + verdict.negatedFailure())
        }
    }
}
