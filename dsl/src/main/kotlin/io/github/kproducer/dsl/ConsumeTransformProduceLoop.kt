package io.github.kproducer.dsl

import java.time.Duration
import java.util.concurrent.CompletableFuture

/**
 * A running exactly-once consume-transform-produce loop, started from Java with
 * `ConsumeTransformProduce.startConsumeTransformProduce(producer, consumer, transform)`.
 *
 * Closing it stops the loop and waits until it has ended, so that the caller may close the consumer:
 * a poll in progress is interrupted, an open transaction is aborted and the consumer rewound to its
 * last committed offsets. Thread-safe.
 */
public interface ConsumeTransformProduceLoop : AutoCloseable {
    /**
     * Returns a future that completes when the loop has ended: normally after [close], exceptionally
     * with Kafka's exception when a transaction failed (the loop then ends by itself). Cancelling the
     * returned future does not stop the loop; [close] does.
     */
    public fun completion(): CompletableFuture<Void?>

    /**
     * Stops the loop and waits up to [timeout] for it to end; returns whether it ended. Idempotent.
     *
     * Blocks the calling thread for at most [timeout].
     */
    public fun close(timeout: Duration): Boolean

    /**
     * Stops the loop and waits until it has ended, for at most 30 seconds.
     *
     * Blocks the calling thread for at most 30 seconds.
     *
     * @throws IllegalStateException when the loop has not ended after 30 seconds (a consumer call that ignores interrupts).
     */
    override fun close()
}
