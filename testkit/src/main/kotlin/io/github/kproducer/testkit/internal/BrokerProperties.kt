package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.EmbeddedKafkaSettings
import kafka.server.KafkaConfig
import org.apache.kafka.common.config.ConfigException
import org.apache.kafka.server.config.AbstractKafkaConfig
import java.nio.file.Path

/** The broker configuration of each node: test defaults, the cluster wiring, then the user's properties. */
internal object BrokerProperties {
    /** Keys that wire nodes, listeners and directories together; a user value would break the cluster. */
    private val managed =
        setOf(
            "process.roles",
            "node.id",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "controller.listener.names",
            "listeners",
            "advertised.listeners",
            "listener.security.protocol.map",
            "inter.broker.listener.name",
            "log.dirs",
            "log.dir",
            "metadata.log.dir",
        )

    /** Plugin settings that the broker reads but does not declare in its own config definition. */
    private val pluginKeys = setOf("super.users", "allow.everyone.if.no.acl.found")

    /** Keys that the test kit sets when it turns on SASL or ACLs; a user value would undo them. */
    private val securityKeys = setOf("sasl.enabled.mechanisms", "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found")

    private val userName = Regex("[A-Za-z][A-Za-z0-9_.-]*")

    private val knownKeys: Set<String> by lazy { AbstractKafkaConfig.CONFIG_DEF.names() + pluginKeys }

    /**
     * Settings that make a one-to-three node cluster start fast and behave like production where
     * it matters for producers: replication factors and min ISR fit the cluster size, consumer
     * groups start without the 3 s rebalance delay, and the internal topics have few partitions.
     */
    private fun defaults(settings: EmbeddedKafkaSettings): Map<String, String> {
        val replication = minOf(settings.brokers, 3).toString()
        val minIsr = if (settings.brokers >= 3) "2" else "1"
        return mapOf(
            "auto.create.topics.enable" to settings.autoCreateTopics.toString(),
            "num.partitions" to settings.defaultPartitions.toString(),
            "default.replication.factor" to "1",
            "offsets.topic.replication.factor" to replication,
            "offsets.topic.num.partitions" to "5",
            "transaction.state.log.replication.factor" to replication,
            "transaction.state.log.min.isr" to minIsr,
            "transaction.state.log.num.partitions" to "5",
            "share.coordinator.state.topic.replication.factor" to replication,
            "share.coordinator.state.topic.min.isr" to minIsr,
            "share.coordinator.state.topic.num.partitions" to "5",
            "group.initial.rebalance.delay.ms" to "0",
            // The controller holds each metadata write up to 25 ms to batch it with others. A start
            // makes several writes one after another (the broker's registration, its unfencing), and so do
            // createTopic, a restart's ISR change and a stop's unregistration; the test kit waits for each.
            "controller.quorum.append.linger.ms" to "0",
            // A fresh voter waits a random 1-2 s (the election timeout) before it asks for votes, so a
            // new cluster of several nodes spent about a second without a controller. The test kit's
            // voters are in one JVM, a millisecond apart; a shorter timeout only makes a lost election
            // be retried sooner (Raft's safety does not depend on it). Leader failure detection
            // (controller.quorum.fetch.timeout.ms) is unchanged. A single node elects itself at once.
            "controller.quorum.election.timeout.ms" to "200",
            "num.network.threads" to "2",
            "num.io.threads" to "4",
            "background.threads" to "4",
            "num.recovery.threads.per.data.dir" to "1",
            "log.cleaner.dedupe.buffer.size" to (2 * 1024 * 1024).toString(),
            "log.cleaner.threads" to "1",
            "server.max.startup.time.ms" to settings.startup.inWholeMilliseconds.toString(),
        )
    }

    /** The complete property map of node [id]. */
    fun forNode(
        settings: EmbeddedKafkaSettings,
        id: Int,
        directory: Path,
        ports: NodePorts,
        voters: String,
        credentials: SaslCredentials?,
    ): Map<String, String> {
        val controller = KraftNode.CONTROLLER_LISTENER
        val address = { listener: String -> "$listener://${ports.host}:${ports.listeners.getValue(listener)}" }
        val advertised = { listener: String -> "$listener://${ports.host}:${ports.advertisedPort(listener)}" }
        val protocol = { listener: String -> if (listener == KraftNode.CLIENT_LISTENER && credentials != null) "SASL_PLAINTEXT" else "PLAINTEXT" }
        val wiring =
            linkedMapOf(
                "process.roles" to "broker,controller",
                "node.id" to id.toString(),
                "controller.quorum.voters" to voters,
                "controller.listener.names" to controller,
                "listeners" to ports.listeners.keys.joinToString(",", transform = address),
                "advertised.listeners" to
                    ports.listeners.keys
                        .filter { it != controller }
                        .joinToString(",", transform = advertised),
                "listener.security.protocol.map" to ports.listeners.keys.joinToString(",") { "$it:${protocol(it)}" },
                "inter.broker.listener.name" to KraftNode.BROKER_LISTENER,
                "log.dirs" to directory.resolve("data").toString(),
                "metadata.log.dir" to directory.resolve("metadata").toString(),
            )
        if (credentials != null) wiring += security(settings, credentials)
        return defaults(settings) + settings.brokerProperties + wiring
    }

    /**
     * The SASL mechanisms of the client listener (a `SASL_PLAINTEXT` one in front of the PLAINTEXT
     * inter-broker and controller listeners, see [NodePorts.bind]): clients authenticate with PLAIN
     * or SCRAM, the nodes talk to each other as `User:ANONYMOUS` (a super user, so ACLs never block
     * replication). With ACLs on, Kafka's `StandardAuthorizer` denies whatever no ACL allows.
     */
    private fun security(
        settings: EmbeddedKafkaSettings,
        credentials: SaslCredentials,
    ): Map<String, String> {
        val prefix = "listener.name.${KraftNode.CLIENT_LISTENER.lowercase()}"
        val scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        val properties =
            linkedMapOf(
                "sasl.enabled.mechanisms" to "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "$prefix.plain.sasl.jaas.config" to credentials.plainServerJaas(),
                "$prefix.scram-sha-256.sasl.jaas.config" to scram,
                "$prefix.scram-sha-512.sasl.jaas.config" to scram,
            )
        if (settings.acls) {
            properties["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
            properties["super.users"] = "User:ANONYMOUS;User:${EmbeddedKafka.SUPER_USER}"
            properties["allow.everyone.if.no.acl.found"] = "false"
        }
        return properties
    }

    /** Everything wrong with the SASL users and ACL settings, each with its fix. */
    fun securityProblems(
        users: Map<String, String>,
        properties: Map<String, String>,
        acls: Boolean,
    ): List<String> {
        val problems = mutableListOf<String>()
        for ((name, password) in users) {
            when {
                name == EmbeddedKafka.SUPER_USER -> {
                    problems += "SASL user '$name' is the test kit's super user; pick another name " +
                        "(the super user's password is random; connect as it with connectionProperties())"
                }

                !userName.matches(name) -> {
                    problems += "SASL user name '$name' must start with a letter and hold only letters, digits, '_', '.' and '-'"
                }
            }
            if (password.isEmpty()) problems += "the password of SASL user '$name' is empty; give it a non-empty password"
            if (password.any { it == '"' || it == '\\' || it.isISOControl() }) {
                problems += "the password of SASL user '$name' holds a quote, backslash or control character, which a JAAS " +
                    "configuration cannot carry; choose a password without them"
            }
        }
        if (users.isNotEmpty() || acls) {
            properties.keys.filter { it in securityKeys || it.startsWith("listener.name.") }.forEach { key ->
                problems += "broker property '$key' is set by EmbeddedKafka when SASL users or ACLs are configured; remove it"
            }
        }
        return problems
    }

    /** Everything wrong with the user's broker properties, each with its fix; empty when they are fine. */
    fun problems(properties: Map<String, String>): List<String> {
        val problems = mutableListOf<String>()
        for (key in properties.keys) {
            when {
                key in managed -> {
                    problems += "broker property '$key' is set by EmbeddedKafka to wire the cluster together; remove it " +
                        "(use `brokers`, `ports` or `parentDirectory` instead)"
                }

                key !in knownKeys && !key.startsWith("listener.name.") -> {
                    problems += "unknown broker property '$key'" + (closest(key, knownKeys)?.let { "; did you mean '$it'?" } ?: "")
                }
            }
        }
        if (problems.isEmpty() && properties.isNotEmpty()) {
            // Let Kafka check the values: types, ranges and cross-setting rules. (Without user properties
            // there is nothing to check, and a KafkaConfig costs a start some milliseconds.)
            val sample =
                mapOf(
                    "process.roles" to "broker,controller",
                    "node.id" to "1",
                    "controller.quorum.voters" to "1@127.0.0.1:9093",
                    "controller.listener.names" to "CONTROLLER",
                    "listeners" to "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
                )
            try {
                KafkaConfig(sample + properties, false)
            } catch (e: ConfigException) {
                problems += "broker properties rejected by Kafka: ${e.message}"
            } catch (e: IllegalArgumentException) {
                problems += "broker properties rejected by Kafka: ${e.message}"
            }
        }
        return problems
    }
}
