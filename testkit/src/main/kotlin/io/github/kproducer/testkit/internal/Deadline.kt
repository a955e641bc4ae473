package io.github.kproducer.testkit.internal

import org.apache.kafka.common.KafkaException
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.TimeSource
import kotlin.time.toJavaDuration

/**
 * The end of one test-kit call's wait: every Kafka call inside it gets the time that is left, so
 * the call as a whole ends within the caller's timeout, whatever the cluster does.
 */
internal class Deadline(
    val timeout: Duration,
) {
    private val end = TimeSource.Monotonic.markNow() + timeout

    val hasPassed: Boolean get() = end.hasPassedNow()

    /** The time left, at least 1 ms so that Kafka's calls still try once. */
    val remaining: Duration get() = (-end.elapsedNow()).coerceAtLeast(1.milliseconds)

    val remainingJava: java.time.Duration get() = remaining.toJavaDuration()

    /** Sleeps [pause], or what is left when that is less. */
    fun pause(pause: Duration) {
        Thread.sleep(minOf(pause, remaining).inWholeMilliseconds.coerceAtLeast(1))
    }

    /**
     * Waits for [future] for the time left; Kafka's failure comes out unwrapped. Kafka's API
     * exceptions carry no stack trace; one without is given this caller's, so that the test's
     * report shows which test-kit call it came from.
     */
    fun <T> await(future: org.apache.kafka.common.KafkaFuture<T>): T =
        try {
            future.get(remaining.inWholeMilliseconds, TimeUnit.MILLISECONDS)
        } catch (e: ExecutionException) {
            val cause = e.cause ?: e
            if (cause.stackTrace.isEmpty()) cause.stackTrace = Throwable().stackTrace
            throw cause
        } catch (e: java.util.concurrent.TimeoutException) {
            throw org.apache.kafka.common.errors
                .TimeoutException("no answer within $timeout")
        }
}

/**
 * The text of a Kafka failure for a test kit's message: Kafka's exceptions often come without a
 * stack trace, so the message names the class as well.
 */
internal fun describeFailure(e: Throwable): String =
    when (e) {
        is KafkaException -> "${e.javaClass.simpleName}: ${e.message}"
        else -> e.toString()
    }
