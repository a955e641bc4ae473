package io.github.kproducer.dsl.internal.send

import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.isActive
import kotlinx.coroutines.runInterruptible
import org.apache.kafka.common.errors.InterruptException

/**
 * Runs a blocking Kafka call that cancellation may interrupt. Kafka turns the interrupt into its own
 * [InterruptException], which `runInterruptible` does not recognise; this turns it back into the
 * coroutine's cancellation, so a cancelled caller sees `CancellationException`, not a Kafka error.
 */
internal suspend fun <T> interruptible(call: () -> T): T =
    try {
        runInterruptible { call() }
    } catch (e: InterruptException) {
        if (!currentCoroutineContext().isActive) {
            // Kafka's InterruptException sets the interrupt flag again; the interrupt was ours, so clear it
            // rather than leave it on a pooled thread for whatever runs there next.
            Thread.interrupted()
            currentCoroutineContext().ensureActive()
        }
        throw e
    }
