package io.github.kproducer.testkit

import java.nio.file.Path
import kotlin.time.Duration
import kotlin.time.toJavaDuration

/**
 * The validated, immutable settings of an [EmbeddedKafka] cluster, made by [EmbeddedKafkaConfig.build].
 *
 * Two settings are equal when every setting is equal: the SASL users compare as names with
 * their passwords, whatever the order they were added in (only [saslUsers] and [toString] keep that
 * order). A project-wide Kotest extension uses that to refuse a second, different configuration.
 */
public class EmbeddedKafkaSettings internal constructor(
    /** Number of combined broker+controller nodes, numbered from 1. */
    public val brokers: Int,
    /** Fixed client ports, one per broker; empty means free ports are picked. */
    public val ports: List<Int>,
    /** Whether producing to or fetching metadata of an unknown topic creates it, as `auto.create.topics.enable`. */
    public val autoCreateTopics: Boolean,
    /** Partition count of automatically created topics, as `num.partitions`. */
    public val defaultPartitions: Int,
    /** Extra broker properties, applied after the test defaults. */
    public val brokerProperties: Map<String, String>,
    internal val startup: Duration,
    /** Directory under which the cluster's temporary data directory is made; `null` is the system temp directory. */
    public val parentDirectory: Path?,
    /** Names of the SASL users added with [EmbeddedKafkaConfig.saslUser], in the order added; their passwords are never exposed. */
    public val saslUsers: List<String>,
    /** Whether the brokers authorize requests with ACLs (Kafka's `StandardAuthorizer`); see [EmbeddedKafkaConfig.acls]. */
    public val acls: Boolean,
    /** Whether the client listeners go through the in-JVM fault proxy; see [EmbeddedKafkaConfig.faultProxy]. */
    public val faultProxy: Boolean,
    internal val saslPasswords: Map<String, String>,
) {
    /** How long starting the cluster (or one broker) may take before it fails. */
    public val startupTimeout: java.time.Duration get() = startup.toJavaDuration()

    /**
     * Whether clients must authenticate: true when there is a SASL user or ACLs are on. Clients then
     * connect to a `SASL_PLAINTEXT` listener that accepts `PLAIN`, `SCRAM-SHA-256` and `SCRAM-SHA-512`.
     */
    public val sasl: Boolean get() = saslPasswords.isNotEmpty() || acls

    /** Whether [other] holds the same settings; SASL users compare by name and password, in any order. */
    override fun equals(other: Any?): Boolean =
        other is EmbeddedKafkaSettings &&
            brokers == other.brokers &&
            ports == other.ports &&
            autoCreateTopics == other.autoCreateTopics &&
            defaultPartitions == other.defaultPartitions &&
            brokerProperties == other.brokerProperties &&
            startup == other.startup &&
            parentDirectory == other.parentDirectory &&
            acls == other.acls &&
            faultProxy == other.faultProxy &&
            saslPasswords == other.saslPasswords

    /**
     * Agrees with [equals]: it hashes the SASL users as a set, since equality compares them with their
     * passwords whatever the order they were added in, and leaves the passwords out.
     */
    override fun hashCode(): Int =
        listOf(
            brokers,
            ports,
            autoCreateTopics,
            defaultPartitions,
            brokerProperties,
            startup,
            parentDirectory,
            acls,
            faultProxy,
            saslPasswords.keys,
        ).hashCode()

    /** Lists the settings; broker property values and SASL passwords are left out, so it is safe to log. */
    override fun toString(): String =
        "EmbeddedKafkaSettings(brokers=$brokers, ports=$ports, autoCreateTopics=$autoCreateTopics, " +
            "defaultPartitions=$defaultPartitions, brokerProperties=${brokerProperties.keys}, startupTimeout=$startup" +
            (if (faultProxy) ", faultProxy=true" else "") +
            (if (sasl) ", saslUsers=$saslUsers, acls=$acls" else "") + ")"

    /** Java entry points, defaults and limits. */
    public companion object {
        /** The largest cluster the test kit starts; each broker costs about 40 MiB of heap and a few threads. */
        public const val MAX_BROKERS: Int = 9

        /** Returns a new configuration block with the defaults: one broker, free ports, auto-created single-partition topics. */
        @JvmStatic
        public fun builder(): EmbeddedKafkaConfig = EmbeddedKafkaConfig()

        /** Returns the default settings: one broker on a free port. */
        @JvmStatic
        public fun defaults(): EmbeddedKafkaSettings = EmbeddedKafkaConfig().build()
    }
}
