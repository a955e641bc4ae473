package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.BrokerProperties
import java.nio.file.Path
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * The configuration block of an [EmbeddedKafka] cluster: `EmbeddedKafka { brokers = 3 }` in Kotlin,
 * `EmbeddedKafkaSettings.builder().brokers(3).build()` or `EmbeddedKafka.start(c -> c.brokers(3))` in Java,
 * where every setter is fluent.
 * [build] validates every setting at once and returns the immutable [EmbeddedKafkaSettings].
 *
 * Not thread-safe: configure it on one thread, then build.
 */
@TestKitDsl
public class EmbeddedKafkaConfig {
    /** Number of brokers (each also a KRaft controller voter); 3 lets one stop while the quorum and ISR >= 2 survive. Default 1. */
    @set:JvmSynthetic
    public var brokers: Int = 1

    /** Fixed client ports, one per broker, for tools that need a known address; empty (the default) picks free ports. */
    @set:JvmSynthetic
    public var ports: List<Int> = emptyList()

    /** Create unknown topics on first use, as a default broker does. Default `true`; set `false` to test unknown-topic errors. */
    @set:JvmSynthetic
    public var autoCreateTopics: Boolean = true

    /** Partitions of automatically created topics. Default 1. */
    @set:JvmSynthetic
    public var defaultPartitions: Int = 1

    /** How long the cluster may take to start. Default 60 seconds. */
    @get:JvmSynthetic
    @set:JvmSynthetic
    public var startupTimeout: Duration = 60.seconds

    /** Directory under which the temporary data directory is created; default the system temp directory. */
    @set:JvmSynthetic
    public var parentDirectory: Path? = null

    /**
     * Whether the brokers check ACLs (Kafka's `StandardAuthorizer`, `allow.everyone.if.no.acl.found=false`).
     * Default `false`. When `true`, clients must authenticate, a user may only do what an ACL allows
     * (grant with [EmbeddedKafka.allowProducing] or [EmbeddedKafka.createAcls]), and the test kit's
     * own connection ([EmbeddedKafka.connectionProperties]) is the super user [EmbeddedKafka.SUPER_USER].
     */
    @set:JvmSynthetic
    public var acls: Boolean = false

    /**
     * Whether each broker's client listener is fronted by an in-JVM fault proxy, so that tests can inject
     * network and protocol faults with [EmbeddedKafka.faults]. Default `false` (nothing is paid when unused).
     * When `true`, [EmbeddedKafka.bootstrapServers] and the advertised client addresses point at the proxy,
     * so clients never bypass it; the brokers' own traffic (replication, controller, the test kit's
     * housekeeping) does not go through it.
     */
    @set:JvmSynthetic
    public var faultProxy: Boolean = false

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
    ): EmbeddedKafkaConfig = apply { users[name] = password }

    /** Sets a broker property such as `log.retention.ms`; the keys that wire the cluster together are refused by [build]. */
    public fun brokerProperty(
        key: String,
        value: Any,
    ): EmbeddedKafkaConfig = apply { properties[key] = value.toString() }

    /** Sets several broker properties; see [brokerProperty]. */
    public fun brokerProperties(values: Map<String, Any>): EmbeddedKafkaConfig = apply { values.forEach { (k, v) -> brokerProperty(k, v) } }

    /** Sets [brokers] and returns this configuration (the Java form of `brokers = ...`). */
    public fun brokers(brokers: Int): EmbeddedKafkaConfig = apply { this.brokers = brokers }

    /** Sets [ports] and returns this configuration (the Java form of `ports = ...`). */
    public fun ports(ports: List<Int>): EmbeddedKafkaConfig = apply { this.ports = ports }

    /** Sets [autoCreateTopics] and returns this configuration (the Java form of `autoCreateTopics = ...`). */
    public fun autoCreateTopics(enabled: Boolean): EmbeddedKafkaConfig = apply { this.autoCreateTopics = enabled }

    /** Sets [defaultPartitions] and returns this configuration (the Java form of `defaultPartitions = ...`). */
    public fun defaultPartitions(partitions: Int): EmbeddedKafkaConfig = apply { this.defaultPartitions = partitions }

    /** Sets [parentDirectory] and returns this configuration (the Java form of `parentDirectory = ...`). */
    public fun parentDirectory(directory: Path?): EmbeddedKafkaConfig = apply { this.parentDirectory = directory }

    /** Sets [acls] and returns this configuration (the Java form of `acls = ...`). */
    public fun acls(enabled: Boolean): EmbeddedKafkaConfig = apply { this.acls = enabled }

    /** Sets [faultProxy] and returns this configuration (the Java form of `faultProxy = ...`). */
    public fun faultProxy(enabled: Boolean): EmbeddedKafkaConfig = apply { this.faultProxy = enabled }

    /** Sets [startupTimeout] and returns this configuration (the Java form of `startupTimeout = ...`). */
    public fun startupTimeout(timeout: java.time.Duration): EmbeddedKafkaConfig = apply { startupTimeout = timeout.toKotlinDuration() }

    /**
     * Validates the configuration and returns the immutable settings.
     *
     * @throws IllegalArgumentException listing every problem found, each with its fix.
     */
    public fun build(): EmbeddedKafkaSettings {
        val maxBrokers = EmbeddedKafkaSettings.MAX_BROKERS
        val problems = mutableListOf<String>()
        if (brokers !in 1..maxBrokers) problems += "brokers must be between 1 and $maxBrokers, was $brokers"
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
        return EmbeddedKafkaSettings(
            brokers,
            ports.toList(),
            autoCreateTopics,
            defaultPartitions,
            LinkedHashMap(properties),
            startupTimeout,
            parentDirectory,
            users.keys.toList(),
            acls,
            faultProxy,
            LinkedHashMap(users),
        )
    }
}
