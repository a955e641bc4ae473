package io.github.kproducer.testkit.faults

import io.github.kproducer.testkit.EmbeddedKafka
import org.apache.kafka.common.protocol.ApiKeys

/**
 * The faults one [EmbeddedKafka.faults] block installed, active until [close]: closing heals them
 * (latency, bandwidth and refused connections end; request faults stop matching; cut or slowed
 * replication and a broker cut off from the controller heal). Use it with
 * `use { }` (Kotlin) or try-with-resources (Java), so a fault cannot outlive its test; the Kotest and
 * JUnit extensions also close every open scope after each test.
 *
 * It also says what the proxy saw while it was open, so a test can assert "the client retried three
 * times" without reading logs. Counts are of requests the proxy read from clients, whether or not a
 * fault acted on them.
 *
 * Thread-safe; no method blocks except [cutConnections] (which closes sockets).
 */
public interface Faults : AutoCloseable {
    /** The number of requests of [apiKey] that clients sent through the proxy, to any broker, since this scope opened. */
    public fun requests(apiKey: ApiKeys): Long

    /**
     * The number of requests of [apiKey] that clients sent to broker [brokerId] through the proxy since this scope opened.
     *
     * @throws IllegalArgumentException when there is no broker [brokerId].
     */
    public fun requests(
        apiKey: ApiKeys,
        brokerId: Int,
    ): Long

    /**
     * The versions of [apiKey] requests that clients sent through the proxy, to any broker, while this
     * scope was open, lowest first: which version a client chose, for example after
     * [FaultsConfig.apiVersions] narrowed what the broker advertises. Empty when none was sent.
     */
    public fun requestVersions(apiKey: ApiKeys): Set<Short>

    /** The number of requests this scope's request faults acted on (answered, dropped, delayed or rewritten), all API keys. */
    public fun applied(): Int

    /** The number of requests of [apiKey] this scope's request faults acted on. */
    public fun applied(apiKey: ApiKeys): Int

    /**
     * Closes every open client connection through the proxy, to every broker, now: requests in flight
     * get no answer, and clients reconnect (unless connections are refused).
     *
     * @throws IllegalStateException when this scope is closed.
     */
    public fun cutConnections()

    /**
     * Closes every open client connection through the proxy to broker [brokerId], now; see [cutConnections].
     *
     * @throws IllegalArgumentException when there is no broker [brokerId].
     * @throws IllegalStateException when this scope is closed.
     */
    public fun cutConnections(brokerId: Int)

    /** Heals this scope's faults. Idempotent; never throws. */
    override fun close()
}
