package io.github.kproducer.testkit

import io.github.kproducer.testkit.faults.Faults
import io.github.kproducer.testkit.faults.FaultsConfig
import io.github.kproducer.testkit.internal.BoundedCloseAdmin
import io.github.kproducer.testkit.internal.BrokerQuota
import io.github.kproducer.testkit.internal.ClusterMoves
import io.github.kproducer.testkit.internal.Deadline
import io.github.kproducer.testkit.internal.KraftCluster
import io.github.kproducer.testkit.internal.TestKitLogging
import io.github.kproducer.testkit.internal.TopicCreator
import io.github.kproducer.testkit.internal.describeFailure
import io.github.kproducer.testkit.internal.faults.FaultScope
import io.github.kproducer.testkit.internal.nemesis.NemesisRunner
import io.github.kproducer.testkit.internal.nemesis.NemesisSchedule
import io.github.kproducer.testkit.nemesis.Nemesis
import io.github.kproducer.testkit.nemesis.NemesisConfig
import org.apache.kafka.clients.CommonClientConfigs
import org.apache.kafka.clients.admin.CreateAclsOptions
import org.apache.kafka.common.acl.AccessControlEntry
import org.apache.kafka.common.acl.AclBinding
import org.apache.kafka.common.acl.AclBindingFilter
import org.apache.kafka.common.acl.AclOperation
import org.apache.kafka.common.acl.AclPermissionType
import org.apache.kafka.common.errors.RetriableException
import org.apache.kafka.common.resource.PatternType
import org.apache.kafka.common.resource.ResourcePattern
import org.apache.kafka.common.resource.ResourceType
import java.util.function.Consumer
import kotlin.time.Duration

/**
 * A real Apache Kafka cluster (KRaft mode) running inside this JVM: one or more combined
 * broker+controller nodes on free loopback ports, with a temporary data directory that [close]
 * deletes.
 *
 * It is the broker itself (the `kafka_2.13` jar that matches the `kafka-clients` version), not a
 * fake: partitioning, acks, transactions, size limits and errors are Kafka's own. Create one with
 * `EmbeddedKafka { brokers = 3 }` in Kotlin or [EmbeddedKafka.start] in Java; the constructor
 * returns once every broker is running. Each instance is independent (own ports, own directory,
 * no shared state), so parallel tests can each have their own.
 *
 * With SASL users or ACLs configured ([EmbeddedKafkaConfig.saslUser],
 * [EmbeddedKafkaConfig.acls]) clients must log in: [connectionProperties] with a user name
 * gives that user's properties, [allowProducing] and [createAcls] grant rights, and the test kit's
 * own calls run as the super user [SUPER_USER]. [stopBroker], [startBroker], [stopAllBrokers] and
 * [startAllBrokers] make outages.
 *
 * Broker threads are not daemon threads: always [close] the cluster (`use { }`, the Kotest
 * extension or the JUnit extension do it for you), or the JVM will not exit.
 *
 * Thread-safe. Every method blocks the calling thread.
 */
public class EmbeddedKafka private constructor(
    /** The settings this cluster was started with. */
    public val settings: EmbeddedKafkaSettings,
) : KafkaCluster {
    private val cluster = KraftCluster(settings)
    private val topics =
        TopicCreator({ if (settings.faultProxy) cluster.internalConnectionProperties() else connectionProperties() }, cluster::awaitMetadataOnEveryBroker)
    private val openFaults = java.util.concurrent.CopyOnWriteArrayList<FaultScope>()

    override val bootstrapServers: String get() = cluster.bootstrapServers

    /** Marks this cluster as the one [extension] started: its brokers' refusals explain that extension's failures only. */
    internal fun ownedBy(extension: Any): EmbeddedKafka = apply { cluster.tag.owner = extension }

    /** The cluster's temporary data directory (one `node-N` folder per broker), deleted by [close]. */
    public val dataDirectory: java.nio.file.Path get() = cluster.directory

    /** The node ids of the brokers, `1..brokers`. */
    public val brokerIds: List<Int> get() = cluster.nodeIds

    /** Whether broker [brokerId] is running (it is, unless [stopBroker] stopped it). */
    public fun isRunning(brokerId: Int): Boolean = cluster.isRunning(brokerId)

    /** The `bootstrap.servers` value of broker [brokerId] alone. */
    public fun bootstrapServersOf(brokerId: Int): String = cluster.bootstrapServersOf(brokerId)

    /**
     * Stops broker [brokerId] with a controlled shutdown (its partition leaderships move to the other
     * brokers first) while the others keep serving. With 3 brokers the controller quorum survives.
     *
     * @throws IllegalStateException when the broker is already stopped or is the last one running.
     * @throws IllegalArgumentException when there is no such broker.
     */
    public fun stopBroker(brokerId: Int) {
        cluster.stop(brokerId)
    }

    /**
     * Starts a stopped broker again on the same ports with the same data, and returns once the
     * controller has registered it, it has caught up and is back in the ISR of every partition it
     * replicates (internal topics included), and those partitions serve produce requests.
     *
     * @throws EmbeddedKafkaStartupException when it cannot start within the startup timeout.
     * @throws IllegalStateException when the broker is already running.
     */
    public fun startBroker(brokerId: Int) {
        cluster.start(brokerId)
    }

    /**
     * Stops every broker at once, as in a data-centre outage: clients lose the whole cluster. The data
     * and ports stay, so [startAllBrokers] brings the same cluster back at the same addresses.
     *
     * @throws IllegalStateException when every broker is already stopped or the cluster is closed.
     */
    public fun stopAllBrokers() {
        cluster.stopAll()
    }

    /**
     * Starts every stopped broker together (the controller quorum needs them all) and returns once
     * each is registered and every partition is led, fully in sync and serving produce requests.
     *
     * @throws EmbeddedKafkaStartupException when they cannot start within the startup timeout.
     * @throws IllegalStateException when every broker is already running or the cluster is closed.
     */
    public fun startAllBrokers() {
        cluster.startAll()
    }

    /**
     * The client properties that connect to this cluster. When the cluster authenticates clients
     * (SASL users or ACLs configured), they log in as the super user [SUPER_USER] with `PLAIN`; the
     * password is a Kafka `Password` value, which prints as `[hidden]`.
     */
    override fun connectionProperties(): Map<String, Any> =
        cluster.credentials?.clientProperties(bootstrapServers, SUPER_USER, "PLAIN")
            ?: mapOf(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers)

    /**
     * The client properties that log in as SASL user [user] (added with
     * [EmbeddedKafkaConfig.saslUser]) using [mechanism]: `PLAIN` (the default),
     * `SCRAM-SHA-256` or `SCRAM-SHA-512`. The password is a Kafka `Password` value, which prints as `[hidden]`.
     *
     * @throws IllegalArgumentException when there is no such user or the mechanism is not one of those.
     * @throws IllegalStateException when the cluster has no SASL users.
     */
    @JvmOverloads
    public fun connectionProperties(
        user: String,
        mechanism: String = "PLAIN",
    ): Map<String, Any> {
        val credentials =
            checkNotNull(cluster.credentials) {
                "This cluster does not authenticate clients; add users with `saslUser(name, password)` in its configuration"
            }
        return credentials.clientProperties(bootstrapServers, user, mechanism)
    }

    /**
     * Creates the ACLs [bindings] as the super user and returns once every running broker enforces them.
     *
     * Blocks for at most 30 seconds.
     *
     * @throws IllegalStateException when the cluster was configured without `acls = true`.
     * @throws AssertionError when the cluster does not create them, or a broker does not apply them,
     *   within 30 seconds; the message says which and what it saw.
     */
    public fun createAcls(bindings: Collection<AclBinding>) {
        check(settings.acls) { "ACLs are off in this cluster; set `acls = true` in its configuration to use them" }
        val deadline = Deadline(ACL_TIMEOUT)
        val call = "createAcls(${bindings.size} bindings)"
        TestKitLogging.quietly {
            try {
                admin().use { admin ->
                    deadline.await(admin.createAcls(bindings, CreateAclsOptions().timeoutMs(ACL_TIMEOUT.inWholeMilliseconds.toInt())).all())
                }
            } catch (e: RetriableException) {
                throw AssertionError("$call: the cluster did not create the ACLs within $ACL_TIMEOUT: ${describeFailure(e)}", e)
            }
        }
        for ((id, authorizer) in cluster.authorizers()) {
            while (true) {
                val applied = authorizer.acls(AclBindingFilter.ANY).toSet()
                if (applied.containsAll(bindings)) break
                if (deadline.hasPassed) throw AssertionError("$call: broker $id did not apply the ACLs ${bindings - applied} within $ACL_TIMEOUT")
                deadline.pause(ACL_POLL)
            }
        }
    }

    /**
     * Lets SASL user [user] produce to [topic] (ACLs allowing WRITE and DESCRIBE on it, from any host),
     * and, when [transactionalId] is given, use that transactional id; returns once the brokers enforce it.
     *
     * @throws IllegalStateException when the cluster was configured without `acls = true`.
     */
    @JvmOverloads
    public fun allowProducing(
        user: String,
        topic: String,
        transactionalId: String? = null,
    ) {
        val principal = "User:$user"
        val allow = { op: AclOperation -> AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW) }
        val topicPattern = ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL)
        val bindings = mutableListOf(AclBinding(topicPattern, allow(AclOperation.WRITE)), AclBinding(topicPattern, allow(AclOperation.DESCRIBE)))
        if (transactionalId != null) {
            val txPattern = ResourcePattern(ResourceType.TRANSACTIONAL_ID, transactionalId, PatternType.LITERAL)
            bindings += AclBinding(txPattern, allow(AclOperation.WRITE))
            bindings += AclBinding(txPattern, allow(AclOperation.DESCRIBE))
        }
        createAcls(bindings)
    }

    override fun createTopic(
        name: String,
        partitions: Int,
        replicationFactor: Int,
        configs: Map<String, String>,
    ) {
        topics.create(name, partitions, replicationFactor, configs)
    }

    /**
     * Opens a scope of faults configured by [configure]: network faults (latency, bandwidth, cut or
     * refused connections) and request faults (error answers, dropped or delayed answers) that the
     * cluster's in-JVM fault proxy applies to client traffic, and faults between brokers (replication
     * cut or slowed, a broker cut off from the controller), until the returned [Faults] is closed.
     * Close it with `use { }`; the Kotest and JUnit extensions also close every open scope after each test.
     *
     * ```kotlin
     * kafka.faults {
     *     produce(topic = "payments") { respond(Errors.NOT_ENOUGH_REPLICAS, times = 3) }
     *     latency(50.milliseconds)
     * }.use { faults -> /* the code under test */ }
     * ```
     *
     * Returns at once: faults apply to requests read after it returns. Does not block.
     *
     * @throws IllegalStateException when the cluster was not started with
     *   [EmbeddedKafkaConfig.faultProxy] `= true`, or is closed.
     * @throws IllegalArgumentException naming every invalid fault (an unknown broker, `times < 1`, ...).
     */
    @JvmSynthetic
    public fun faults(configure: FaultsConfig.() -> Unit): Faults = open(FaultsConfig().apply(configure))

    /** Java form of `faults { }`: `try (Faults faults = kafka.faults(f -> f.requests(ApiKeys.PRODUCE).drop())) { ... }`. */
    public fun faults(configure: Consumer<FaultsConfig>): Faults = open(FaultsConfig.of(configure))

    private fun open(config: FaultsConfig): Faults {
        val engine =
            checkNotNull(cluster.faultProxy) {
                "This cluster has no fault proxy; start it with the proxy on: EmbeddedKafka { faultProxy = true } in Kotlin, " +
                    "config.faultProxy(true) in Java (EmbeddedKafkaJUnitExtension.create(config -> config.faultProxy(true)))"
            }
        val set = config.build(engine.brokerIds())
        return FaultScope(engine, set) { openFaults.remove(it) }.also { openFaults += it }
    }

    private val moves =
        ClusterMoves({ BoundedCloseAdmin(cluster.internalConnectionProperties()) }, { brokerIds }, cluster::awaitMetadataOnEveryBroker)

    /**
     * The broker that leads [partition] of [topic] now, or -1 when none does. Blocks for one admin call.
     *
     * @throws IllegalArgumentException when the topic has no such partition.
     */
    public fun leaderOf(
        topic: String,
        partition: Int,
    ): Int = moves.leaderOf(topic, partition, Deadline(MOVE_TIMEOUT))

    /**
     * Moves the leadership of [partition] of [topic] to broker [toBroker] through the controller, as an
     * operator would: a reassignment that puts [toBroker] first among the replicas (adding it as a replica,
     * which copies the log, when it is not one), then a preferred-leader election. Producers then meet
     * `NOT_LEADER_OR_FOLLOWER` from the old leader and refresh their metadata, as in production. Returns
     * once the new leader serves produce requests and every broker has the new metadata; blocks meanwhile,
     * at most a minute. Does nothing when [toBroker] leads it already.
     *
     * @throws IllegalArgumentException when there is no such broker or partition.
     * @throws IllegalStateException when the move does not complete within a minute (a stopped broker, say).
     */
    public fun moveLeader(
        topic: String,
        partition: Int,
        toBroker: Int,
    ) {
        moves.moveLeaders(topic, mapOf(partition to toBroker), Deadline(MOVE_TIMEOUT), "moveLeader($topic, $partition, $toBroker)")
    }

    /**
     * Moves the leadership of every partition of [topic] to the next of its replicas, at once, as
     * [moveLeader] does; returns each partition's new leader (partition to broker). Blocks, at most a minute.
     *
     * @throws IllegalStateException when a partition has a single replica (nowhere to move without copying:
     *   use [moveLeader]), or the moves do not complete within a minute.
     */
    public fun shuffleLeaders(topic: String): Map<Int, Int> = moves.shuffleLeaders(topic, Deadline(MOVE_TIMEOUT), "shuffleLeaders($topic)")

    /** The broker that coordinates the transactions of [transactionalId] now: the leader of its `__transaction_state` partition. */
    public fun transactionCoordinatorOf(transactionalId: String): Int = coordinatorOf(TRANSACTION_STATE, transactionalId)

    /**
     * Moves the transaction coordinator of [transactionalId] to broker [toBroker], mid-transaction if one is
     * open: the leadership of its `__transaction_state` partition moves ([moveLeader]), the new leader loads
     * the transaction state, and the producer's next transactional request meets `NOT_COORDINATOR` and finds
     * the new coordinator. Blocks, at most a minute.
     *
     * @throws IllegalArgumentException when there is no such broker.
     * @throws IllegalStateException when the move does not complete within a minute.
     */
    public fun moveTransactionCoordinator(
        transactionalId: String,
        toBroker: Int,
    ): Unit = moveCoordinator(TRANSACTION_STATE, transactionalId, toBroker, "moveTransactionCoordinator")

    /** The broker that coordinates consumer group [groupId] now: the leader of its `__consumer_offsets` partition. */
    public fun groupCoordinatorOf(groupId: String): Int = coordinatorOf(CONSUMER_OFFSETS, groupId)

    /**
     * Moves the group coordinator of [groupId] to broker [toBroker] (for consume-transform-produce tests),
     * as [moveTransactionCoordinator] does for transactions. Blocks, at most a minute.
     *
     * @throws IllegalArgumentException when there is no such broker.
     * @throws IllegalStateException when the move does not complete within a minute, or `__consumer_offsets`
     *   does not exist yet (no group has used the cluster).
     */
    public fun moveGroupCoordinator(
        groupId: String,
        toBroker: Int,
    ): Unit = moveCoordinator(CONSUMER_OFFSETS, groupId, toBroker, "moveGroupCoordinator")

    /** The leader of the partition of internal topic [topic] that coordinates [id]. */
    private fun coordinatorOf(
        topic: String,
        id: String,
    ): Int = Deadline(MOVE_TIMEOUT).let { moves.leaderOf(topic, moves.coordinatorPartition(topic, id, it), it) }

    /** Moves the leadership of the partition of internal topic [topic] that coordinates [id] to [toBroker]; [call] names the caller. */
    private fun moveCoordinator(
        topic: String,
        id: String,
        toBroker: Int,
        call: String,
    ) {
        val deadline = Deadline(MOVE_TIMEOUT)
        moves.moveLeaders(topic, mapOf(moves.coordinatorPartition(topic, id, deadline) to toBroker), deadline, "$call($id, $toBroker)")
    }

    /**
     * Sets a quota the brokers enforce on producers with `client.id` [clientId]: [producerByteRate] bytes
     * per second per broker. A producer over it gets answers with a throttle time and its client waits that
     * long before it sends on that connection again (KIP-219): `produce-throttle-time-avg` rises and sends
     * slow down. Returns once every broker applies it; closing the returned [ClientQuota] lifts it. Blocks,
     * at most a minute.
     *
     * @throws IllegalArgumentException when [producerByteRate] is not positive.
     */
    public fun quota(
        clientId: String,
        producerByteRate: Long,
    ): ClientQuota =
        BrokerQuota(
            clientId,
            producerByteRate,
            { BoundedCloseAdmin(cluster.internalConnectionProperties()) },
            { Deadline(MOVE_TIMEOUT) },
            cluster::awaitMetadataOnEveryBroker,
        )

    /**
     * Starts a [Nemesis]: a schedule of faults drawn from [seed] (see [NemesisConfig] for which faults, how
     * many steps and how long), run on its own daemon thread while the caller runs a workload. The same seed
     * and settings give the same schedule. Pair it with a [io.github.kproducer.testkit.history.SendHistory]
     * to check what the producer was told against what is on the topic:
     * ```kotlin
     * kafka.nemesis(seed) { steps = 10 }.use { nemesis ->
     *     /* send through history.send(record) { producer.send(it) } */
     *     nemesis.awaitFinished(Duration.ofSeconds(60))
     * }
     * history.check(kafka.readAllStrings(topic), nemesis).assertReliable()
     * ```
     * Returns at once.
     *
     * @throws IllegalArgumentException naming every invalid setting (a broker restart on fewer than 3
     *   brokers, proxy faults on a cluster without the fault proxy, `steps < 1`, ...).
     */
    @JvmSynthetic
    public fun nemesis(
        seed: Long,
        configure: NemesisConfig.() -> Unit = {},
    ): Nemesis = startNemesis(seed, NemesisConfig().apply(configure))

    /** Java form of `nemesis(seed) { }`: `try (Nemesis nemesis = kafka.nemesis(42, n -> n.steps(10))) { ... }`. */
    public fun nemesis(
        seed: Long,
        configure: Consumer<NemesisConfig>,
    ): Nemesis = startNemesis(seed, NemesisConfig().also { configure.accept(it) })

    private fun startNemesis(
        seed: Long,
        config: NemesisConfig,
    ): Nemesis {
        val proxy = cluster.faultProxy != null
        val brokers = brokerIds.size
        val problems = config.problems(brokers, proxy).toMutableList()
        val faults = config.effectiveFaults(brokers, proxy)
        if (problems.isEmpty() && faults.isEmpty()) {
            problems +=
                "this cluster supports no nemesis fault: start it with faultProxy = true (config.faultProxy(true) in Java), or with 3 brokers for BROKER_RESTART"
        }
        require(problems.isEmpty()) { "Invalid nemesis: ${problems.joinToString("; ")}" }
        val topics = config.topics.sorted().map { it to moves.partitionCount(it, Deadline(MOVE_TIMEOUT)) }
        val schedule = NemesisSchedule.draw(seed, faults, brokerIds.sorted(), topics, config.steps, config.stepLength, config.pause)
        return NemesisRunner(this, seed, schedule)
    }

    /**
     * Closes every fault scope still open, so that requests read after it returns pass untouched. The
     * test kit's extensions, and `@AutoConfigureEmbeddedKafka` in a Spring test, call it after each test,
     * so that a test that left a scope open does not break the next one on a shared cluster. Idempotent;
     * does not block.
     */
    public fun healAllFaults() {
        ArrayList(openFaults).forEach { it.close() }
    }

    /** Stops every broker and deletes the data directory. Idempotent. */
    override fun close(): Unit = topics.closeThen { cluster.close() }

    override fun toString(): String =
        "EmbeddedKafka(bootstrapServers=$bootstrapServers, brokers=${settings.brokers}" +
            (if (settings.sasl) ", sasl=SASL_PLAINTEXT, users=${settings.saslUsers}, acls=${settings.acls}" else "") + ")"

    /** Java entry points and constants. */
    public companion object {
        /**
         * The user the test kit itself logs in as when the cluster authenticates clients; a super user
         * (ACLs never deny it) with a random password per cluster.
         */
        public const val SUPER_USER: String = "admin"

        private val ACL_TIMEOUT = Duration.parse("30s")
        private val MOVE_TIMEOUT = Duration.parse("60s")
        private const val TRANSACTION_STATE = "__transaction_state"
        private const val CONSUMER_OFFSETS = "__consumer_offsets"
        private val ACL_POLL = Duration.parse("20ms")

        /**
         * Starts a cluster with [settings] and returns once every broker runs.
         *
         * @throws EmbeddedKafkaStartupException when it cannot start; nothing is left running.
         */
        @JvmStatic
        public fun start(settings: EmbeddedKafkaSettings): EmbeddedKafka = EmbeddedKafka(settings)

        /** Starts a one-broker cluster with the default settings; see [start]. */
        @JvmStatic
        public fun start(): EmbeddedKafka = start(EmbeddedKafkaSettings.defaults())

        /**
         * Starts a cluster configured by [configure], such as `c -> c.brokers(3)`; see [start].
         *
         * @throws IllegalArgumentException when the configuration is invalid.
         */
        @JvmStatic
        public fun start(configure: Consumer<EmbeddedKafkaConfig>): EmbeddedKafka = start(EmbeddedKafkaConfig().also(configure::accept).build())
    }
}

/**
 * Starts an embedded Kafka cluster configured by [configure] and returns once every broker runs.
 *
 * ```
 * EmbeddedKafka { brokers = 3 }.use { kafka -> ... }
 * ```
 *
 * Blocks for the start (2 to 4 seconds cold on a small machine).
 *
 * @throws IllegalArgumentException when the configuration is invalid, listing every problem.
 * @throws EmbeddedKafkaStartupException when the cluster cannot start; nothing is left running.
 */
@JvmSynthetic
public fun EmbeddedKafka(configure: EmbeddedKafkaConfig.() -> Unit = {}): EmbeddedKafka = EmbeddedKafka.start(EmbeddedKafkaConfig().apply(configure).build())
