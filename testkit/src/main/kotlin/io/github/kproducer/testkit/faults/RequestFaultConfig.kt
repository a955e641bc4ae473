package io.github.kproducer.testkit.faults

import io.github.kproducer.testkit.internal.faults.Action
import org.apache.kafka.common.protocol.Errors
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * What happens to the requests one selector of [FaultsConfig] matches (for example
 * `produce(topic = "payments") { respond(Errors.NOT_ENOUGH_REPLICAS, times = 3) }`): an error answer
 * for the whole request ([respond]) or for one partition ([respondForPartition]), a lost ([drop]),
 * late ([delay]) or throttled ([throttle]) answer. Each call adds one fault; several faults on one
 * selector are tried in the order they were added, and the first that still applies acts on a request.
 *
 * Each fault acts on the next [times] matching requests (default: all of them while the scope is
 * open), or on those that come within [Duration] `during` of the scope opening, and, with `fraction`
 * below 1, on that share of them, chosen evenly and reproducibly (`fraction = 0.01` acts on the 100th,
 * 200th, ... matching request).
 *
 * Mutable, not thread-safe: configure it inside its block. Arguments are checked when
 * [io.github.kproducer.testkit.EmbeddedKafka.faults] builds the scope.
 */
@FaultsDsl
public class RequestFaultConfig internal constructor() {
    internal class Spec(
        val action: Action,
        val times: Int,
        val during: Duration,
        val fraction: Double,
    )

    internal val specs = ArrayList<Spec>()

    /**
     * Answers matching requests at once with [error], built by Kafka's own request classes (every
     * partition or resource of the request carries it); the request never reaches the broker. A
     * `Produce` with `acks=0` expects no answer, so it is only swallowed.
     */
    @JvmOverloads
    public fun respond(
        error: Errors,
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.Respond(error), times, Duration.INFINITE, fraction)
    }

    /** Answers matching requests with [error] for [during] from the moment the scope opens; see [respond]. */
    @JvmSynthetic
    public fun respond(
        error: Errors,
        during: Duration,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.Respond(error), UNLIMITED, during, fraction)
    }

    /** Java form of `respond(error, during, fraction)`. */
    @JvmOverloads
    public fun respond(
        error: Errors,
        during: java.time.Duration,
        fraction: Double = 1.0,
    ): Unit = respond(error, during.toKotlinDuration(), fraction)

    /**
     * Forwards matching requests to the broker and throws its answer away: the broker acts (a
     * produce is appended), the client never hears, times out and retries (the classic maker of
     * duplicates without idempotence). As on a real connection, whose answers arrive in order or
     * not at all, the answers to later requests on that connection are lost too (their requests still
     * reach the broker), until the client's request timeout makes it reconnect.
     */
    @JvmOverloads
    public fun drop(
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.Drop, times, Duration.INFINITE, fraction)
    }

    /** Drops the answers to matching requests for [during] from the moment the scope opens; see [drop]. */
    @JvmSynthetic
    public fun drop(
        during: Duration,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.Drop, UNLIMITED, during, fraction)
    }

    /** Java form of `drop(during, fraction)`. */
    @JvmOverloads
    public fun drop(
        during: java.time.Duration,
        fraction: Double = 1.0,
    ): Unit = drop(during.toKotlinDuration(), fraction)

    /**
     * Forwards matching requests and holds the broker's answer back by [by] (answers on one connection
     * still leave in request order, as the client requires, so later answers wait behind it).
     */
    @JvmSynthetic
    public fun delay(
        by: Duration,
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.Delay(by), times, Duration.INFINITE, fraction)
    }

    /** Java form of `delay(by, times, fraction)`. */
    @JvmOverloads
    public fun delay(
        by: java.time.Duration,
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ): Unit = delay(by.toKotlinDuration(), times, fraction)

    /**
     * Fails only the selector's partition with [error] in each matching request, and lets the rest of
     * the request succeed, as a broker does when one partition of a multi-partition request fails. The
     * selector names the topic and the partition: `produce(topic = "orders", partition = 1)`,
     * `listOffsets(topic = "orders", partition = 1)` or `requests(ApiKeys.METADATA, topic = "orders",
     * partition = 1)`.
     *
     * - `Produce`: the request goes on to the broker without that partition, so its records are not
     *   appended; the answer holds the broker's answers for the other partitions and [error] for that one
     *   (base offset -1, built by Kafka's `ProduceRequest.getErrorResponse`). A request holding only that
     *   partition is answered at once. With `acks=0` nothing is answered and the partition's records are
     *   dropped.
     * - `Metadata`: the broker's answer reports that partition with [error] and no leader (leader -1; a
     *   broker reports `REPLICA_NOT_AVAILABLE` with its leader, and so does the proxy), as for
     *   `Errors.LEADER_NOT_AVAILABLE` while a partition has no leader.
     * - `ListOffsets`: the broker's answer gives that partition [error] and no offset (-1).
     *
     * Acts on the next [times] matching requests (default: all while the scope is open), and with
     * [fraction] below 1 on that share of them. Arguments are checked when the scope is built, which
     * then throws [IllegalArgumentException] naming each problem (another API, a selector without
     * topic or partition, `Errors.NONE`).
     */
    @JvmOverloads
    public fun respondForPartition(
        error: Errors,
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.RespondForPartition(error), times, Duration.INFINITE, fraction)
    }

    /** Fails the selector's partition with [error] for [during] from the moment the scope opens; see the form with `times`. */
    @JvmSynthetic
    public fun respondForPartition(
        error: Errors,
        during: Duration,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.RespondForPartition(error), UNLIMITED, during, fraction)
    }

    /** Java form of `respondForPartition(error, during, fraction)`. */
    @JvmOverloads
    public fun respondForPartition(
        error: Errors,
        during: java.time.Duration,
        fraction: Double = 1.0,
    ): Unit = respondForPartition(error, during.toKotlinDuration(), fraction)

    /**
     * Forwards matching requests and sets the `throttle_time_ms` of the broker's answer to [by] (whole
     * milliseconds, at least 1), as a broker does for a client over its quota: the client then sends
     * nothing more on that connection until [by] has passed (KIP-219) and reports the throttle in its
     * metrics (a producer's `produce-throttle-time-max`). The broker itself throttles nothing, so the
     * wait is the client's alone.
     *
     * Every API a client sends has a throttle time in its answer but `SaslHandshake` and
     * `SaslAuthenticate`. Arguments are checked when the scope is built, which then throws
     * [IllegalArgumentException] naming each problem.
     */
    @JvmSynthetic
    public fun throttle(
        by: Duration,
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ) {
        specs += Spec(Action.Throttle(by), times, Duration.INFINITE, fraction)
    }

    /** Java form of `throttle(by, times, fraction)`. */
    @JvmOverloads
    public fun throttle(
        by: java.time.Duration,
        times: Int = UNLIMITED,
        fraction: Double = 1.0,
    ): Unit = throttle(by.toKotlinDuration(), times, fraction)

    /** Constants of [RequestFaultConfig]. */
    private companion object {
        /** `times` meaning every matching request while the scope is open (the default: leave `times` out). */
        const val UNLIMITED: Int = Int.MAX_VALUE
    }
}
