package io.github.kproducer.testkit.faults

import org.apache.kafka.common.protocol.ApiKeys

/**
 * The version ranges that `ApiVersions` answers advertise while one [FaultsConfig.apiVersions] scope is
 * open, so that a client negotiates as against an older broker: a lowered maximum makes it send that
 * older version; a range below every version it knows makes its requests of that API fail with
 * `UnsupportedVersionException`.
 *
 * ```kotlin
 * kafka.faults { apiVersions { maxVersion(ApiKeys.PRODUCE, 8) } }.use { faults ->
 *     // a producer created here sends Produce v8
 *     faults.requestVersions(ApiKeys.PRODUCE) shouldBe setOf<Short>(8)
 * }
 * ```
 *
 * A client asks once per connection, right after connecting: a range reaches the connections opened
 * while the scope is open (create the client inside it, or add `cutConnections()` to the block so that
 * open connections reconnect and ask again). The broker still accepts every version it has. When several
 * open scopes give the same API a range, the scope opened last wins.
 *
 * Mutable, not thread-safe: configure it inside its block. Arguments are checked when
 * [io.github.kproducer.testkit.EmbeddedKafka.faults] builds the scope, which then throws
 * [IllegalArgumentException] naming each problem.
 */
@FaultsDsl
public class ApiVersionsFaultConfig internal constructor() {
    /** One advertised range; [min] null keeps the broker's oldest version. */
    internal class Range(
        val apiKey: ApiKeys,
        val min: Int?,
        val max: Int,
    )

    internal val ranges = ArrayList<Range>()

    /**
     * Advertises [maxVersion] as the newest version of [apiKey] (the oldest stays the broker's), so a
     * client that knows newer versions sends [maxVersion]. It must lie between the broker's oldest and
     * newest version of [apiKey]; to advertise versions a client cannot use, give both ends with
     * [versions]. Returns this configuration, for the next range.
     */
    public fun maxVersion(
        apiKey: ApiKeys,
        maxVersion: Int,
    ): ApiVersionsFaultConfig = apply { ranges += Range(apiKey, null, maxVersion) }

    /**
     * Advertises [minVersion] to [maxVersion] as the versions of [apiKey]. A range the client shares no
     * version with (for example `versions(ApiKeys.PRODUCE, 0, 2)` for a Kafka 4 client, which sends
     * Produce v3 and later) makes each of its requests of that API fail with
     * `UnsupportedVersionException`, as against a broker too old for it. [maxVersion] must not pass the
     * broker's newest version of [apiKey], and the range must not be empty. Returns this configuration,
     * for the next range.
     */
    public fun versions(
        apiKey: ApiKeys,
        minVersion: Int,
        maxVersion: Int,
    ): ApiVersionsFaultConfig = apply { ranges += Range(apiKey, minVersion, maxVersion) }
}
