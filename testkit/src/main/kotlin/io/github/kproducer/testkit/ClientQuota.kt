package io.github.kproducer.testkit

/**
 * A client quota the brokers enforce, set by [EmbeddedKafka.quota]: a producer over its byte rate gets
 * answers that carry a throttle time, and its client mutes the connection for that long (KIP-219), as
 * against a production cluster with quotas. Closing it removes the quota. Thread-safe.
 */
public interface ClientQuota : AutoCloseable {
    /** The `client.id` the quota applies to. */
    public val clientId: String

    /** The bytes per second, per broker, that producers with [clientId] may write before they are throttled. */
    public val producerByteRate: Long

    /** Removes the quota and returns once every broker has applied the removal. Idempotent. */
    override fun close()
}
