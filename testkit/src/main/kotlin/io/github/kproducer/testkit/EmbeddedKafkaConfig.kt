package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.BrokerProperties
import java.nio.file.Path
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * The immutable configuration of an [EmbeddedKafka] cluster, made by [EmbeddedKafkaConfig.Builder.build].
 *
 * Two configurations are equal when every setting is equal: the SASL users compare as names with
 * their passwords, whatever the order they were added in (only [saslUsers] and [toString] keep that
 * order). A project-wide Kotest extension uses that to refuse a second, different configuration.
 */
public class EmbeddedKafkaConfig private constructor(
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
    /** How long starting the cluster (or one broker) may take before it fails. */
    public val startupTimeout: Duration,
    /** Directory under which the cluster's temporary data directory is made; `null` is the system temp directory. */
    public val parentDirectory: Path?,
    /** Names of the SASL users added with [Builder.saslUser], in the order added; their passwords are never exposed. */
    public val saslUsers: List<String>,
    /** Whether the brokers authorize requests with ACLs (Kafka's `StandardAuthorizer`); see [Builder.acls]. */
    public val acls: Boolean,
    internal val saslPasswords: Map<String, String>,
) {
    /**
     * Whether clients must authenticate: true when there is a SASL user or ACLs are on. Clients then
     * connect to a `SASL_PLAINTEXT` listener that accepts `PLAIN`, `SCRAM-SHA-256` and `SCRAM-SHA-512`.
     */
    public val sasl: Boolean get() = saslPasswords.isNotEmpty() || acls

    /** Whether [other] is a configuration with the same settings; SASL users compare by name and password, in any order. */
    override fun equals(other: Any?): Boolean =
        other is EmbeddedKafkaConfig &&
            brokers == other.brokers &&
            ports == other.ports &&
            autoCreateTopics == other.autoCreateTopics &&
            defaultPartitions == other.defaultPartitions &&
            brokerProperties == other.brokerProperties &&
            startupTimeout == other.startupTimeout &&
            parentDirectory == other.parentDirectory &&
            acls == other.acls &&
            saslPasswords == other.saslPasswords

    /**
     * Agrees with [equals]: it hashes the SASL users as a set, since equality compares them with their
     * passwords whatever the order they were added in, and leaves the passwords out.
     */
    override fun hashCode(): Int =
        listOf(brokers, ports, autoCreateTopics, defaultPartitions, brokerProperties, startupTimeout, parentDirectory, acls, saslPasswords.keys).hashCode()

    /** Lists the settings; broker property values and SASL passwords are left out, so it is safe to log. */
    override fun toString(): String =
        "EmbeddedKafkaConfig(brokers=$brokers, ports=$ports, autoCreateTopics=$autoCreateTopics, " +
            "defaultPartitions=$defaultPartitions, brokerProperties=${brokerProperties.keys}, startupTimeout=$startupTimeout" +
            (if (sasl) ", saslUsers=$saslUsers, acls=$acls" else "") + ")"

    /**
     * Mutable builder for [EmbeddedKafkaConfig]; [build] validates every setting at once.
     *
     * Not thread-safe: configure it on one thread, then build.
     */
    @TestKitDsl
    public class Builder {
        /** Number of brokers (each also a KRaft controller voter); 3 lets one stop while the quorum and ISR >= 2 survive. Default 1. */
        public var brokers: Int = 1

        /** Fixed client ports, one per broker, for tools that need a known address; empty (the default) picks free ports. */
        public var ports: List<Int> = emptyList()

        /** Create unknown topics on first use, as a default broker does. Default `true`; set `false` to test unknown-topic errors. */
        public var autoCreateTopics: Boolean = true

        /** Partitions of automatically created topics. Default 1. */
        public var defaultPartitions: Int = 1

        /** How long the cluster may take to start. Default 60 seconds. */
        public var startupTimeout: Duration = 60.seconds

        /** Directory under which the temporary data directory is created; default the system temp directory. */
        public var parentDirectory: Path? = null

        /**
         * Whether the brokers check ACLs (Kafka's `StandardAuthorizer`, `allow.everyone.if.no.acl.found=false`).
         * Default `false`. When `true`, clients must authenticate, a user may only do what an ACL allows
         * (grant with [EmbeddedKafka.allowProducing] or [EmbeddedKafka.createAcls]), and the test kit's
         * own connection ([EmbeddedKafka.connectionProperties]) is the super user [EmbeddedKafka.SUPER_USER].
         */
        public var acls: Boolean = false

        private val properties = LinkedHashMap<String, String>()
        private val users = LinkedHashMap<String, String>()

        /**
         * Adds a SASL user that can log in with `PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`; repeat for
         * more users. Adding one turns on a `SASL_PLAINTEXT` client listener: get a user's client
         * properties from [EmbeddedKafka.connectionProperties]. The password is never printed.
         */
        public fun saslUser(
            name: String,
            password: String,
        ): Builder = apply { users[name] = password }

        /** Sets a broker property such as `log.retention.ms`; the keys that wire the cluster together are refused by [build]. */
        public fun brokerProperty(
            key: String,
            value: Any,
        ): Builder = apply { properties[key] = value.toString() }

        /** Sets several broker properties; see [brokerProperty]. */
        public fun brokerProperties(values: Map<String, Any>): Builder = apply { values.forEach { (k, v) -> brokerProperty(k, v) } }

        /** Java-friendly setter for [startupTimeout]. */
        public fun startupTimeout(timeout: java.time.Duration): Builder = apply { startupTimeout = timeout.toKotlinDuration() }

        /**
         * Validates the settings and returns the immutable configuration.
         *
         * @throws IllegalArgumentException listing every problem found, each with its fix.
         */
        public fun build(): EmbeddedKafkaConfig {
            val problems = mutableListOf<String>()
            if (brokers !in 1..MAX_BROKERS) problems += "brokers must be between 1 and $MAX_BROKERS, was $brokers"
            if (ports.isNotEmpty() && ports.size != brokers) {
                problems += "ports must list one port per broker ($brokers), was $ports; or leave it empty to pick free ports"
            }
            ports.filter { it !in 1..65535 }.forEach { problems += "port $it is not a TCP port (1..65535)" }
            if (ports.toSet().size != ports.size) problems += "ports must be distinct, was $ports"
            if (defaultPartitions < 1) problems += "defaultPartitions must be at least 1, was $defaultPartitions"
            if (!startupTimeout.isPositive()) problems += "startupTimeout must be positive, was $startupTimeout"
            problems += BrokerProperties.problems(properties)
            problems += BrokerProperties.securityProblems(users, properties, acls)
            require(problems.isEmpty()) {
                "Invalid EmbeddedKafka configuration:\n" + problems.joinToString("\n") { "  - $it" }
            }
            return EmbeddedKafkaConfig(
                brokers,
                ports.toList(),
                autoCreateTopics,
                defaultPartitions,
                LinkedHashMap(properties),
                startupTimeout,
                parentDirectory,
                users.keys.toList(),
                acls,
                LinkedHashMap(users),
            )
        }
    }

    /** Defaults and limits of the configuration. */
    public companion object {
        /** The largest cluster the test kit starts; each broker costs about 40 MiB of heap and a few threads. */
        public const val MAX_BROKERS: Int = 9

        /** Returns a new builder with the defaults: one broker, free ports, auto-created single-partition topics. */
        @JvmStatic
        public fun builder(): Builder = Builder()

        /** Returns the default configuration: one broker on a free port. */
        @JvmStatic
        public fun defaults(): EmbeddedKafkaConfig = Builder().build()
    }
}
