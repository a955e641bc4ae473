package io.github.kproducer.testkit.internal

import kafka.server.BrokerServer
import kafka.server.ControllerServer
import kafka.server.FaultHandlerFactory
import kafka.server.KafkaConfig
import kafka.server.KafkaRaftServer
import kafka.server.Server
import kafka.server.SharedServer
import org.apache.kafka.common.utils.Time
import org.apache.kafka.metadata.storage.Formatter
import org.apache.kafka.raft.QuorumConfig
import org.apache.kafka.raft.RaftClient
import org.apache.kafka.server.authorizer.Authorizer
import org.apache.kafka.server.common.MetadataVersion
import org.apache.kafka.server.fault.FaultHandler
import org.apache.kafka.server.fault.LoggingFaultHandler
import org.apache.kafka.server.util.ShutdownableThread
import org.slf4j.LoggerFactory
import java.io.OutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList

/**
 * One combined broker+controller KRaft node running inside this JVM.
 *
 * The node is built from Kafka's own server classes, the way `KafkaRaftServer` assembles them,
 * with two differences that matter in a test JVM: fatal faults are logged and recorded instead of
 * halting the process, and the listener sockets come from [ports], bound before the node starts
 * so that no other process can take them in between.
 */
internal class KraftNode(
    val id: Int,
    private val directory: Path,
    private val clusterId: String,
    private val ports: NodePorts,
    private val properties: Map<String, String>,
) {
    private val log = LoggerFactory.getLogger(KraftNode::class.java)
    private val logDir: Path = directory.resolve("data")
    private val metadataDir: Path = directory.resolve("metadata")
    private val faults = CopyOnWriteArrayList<String>()

    @Volatile private var servers: Servers? = null

    /** The servers of the last [create], kept after a stop for [reviveLateStart]. */
    @Volatile private var created: Servers? = null

    val isRunning: Boolean get() = servers != null

    /** Fatal faults the node reported; the real broker would have halted the process on these. */
    val fatalFaults: List<String> get() = faults.toList()

    /** The full broker configuration, for diagnostics. */
    fun config(): KafkaConfig = KafkaConfig(properties, false)

    /**
     * Writes `meta.properties` and the bootstrap metadata, as `kafka-storage format` does, with
     * [scramArguments] (`--add-scram` values) as the initial SCRAM credentials.
     */
    fun format(scramArguments: List<String>) {
        Files.createDirectories(logDir)
        Files.createDirectories(metadataDir)
        Formatter()
            .setPrintStream(PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(id)
            .setClusterId(clusterId)
            .setDirectories(listOf(logDir.toString(), metadataDir.toString()))
            .setMetadataLogDirectory(metadataDir.toString())
            .setControllerListenerName(CONTROLLER_LISTENER)
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
            .setScramArguments(scramArguments)
            .run()
    }

    /** Creates the servers; [startController] and [startBroker] then start them. */
    fun create() {
        check(servers == null) { "node $id is already running" }
        val config = config()
        val (ensemble, bootstrap) = KafkaRaftServer.initializeLogDirs(config, log, "[node $id] ").let { it._1() to it._2() }
        val shared =
            SharedServer(
                config,
                ensemble,
                Time.SYSTEM,
                Server.initializeMetrics(config, Time.SYSTEM, clusterId),
                CompletableFuture.completedFuture(QuorumConfig.parseVoterConnections(config.quorumConfig().voters())),
                QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
                RecordingFaultHandlers(),
                ports,
            )
        val controller = ControllerServer(shared, KafkaRaftServer.configSchema(), bootstrap)
        val broker = BrokerServer(shared)
        servers = Servers(shared, controller, broker).also { created = it }
    }

    /**
     * After a failed start whose starter threads have ended: marks the node running again when it was
     * stopped meanwhile, so that stopping it again ends what a start that finished after that stop left
     * running (Kafka's shutdown does nothing to a server that is still starting). Returns whether it did.
     */
    fun reviveLateStart(): Boolean {
        if (servers != null) return false
        servers = created ?: return false
        return true
    }

    /**
     * After a failed start, once the node is stopped: closes the metadata loader and snapshot generator
     * that an interrupted start of the shared server created but, not marked started yet, did not close
     * when it failed (their threads would outlive the cluster). Nothing to do after a normal stop.
     */
    fun closeLeftovers() {
        val shared = created?.shared ?: return
        for (name in listOf("snapshotGenerator", "loader")) {
            val part =
                runCatching {
                    SharedServer::class.java
                        .getDeclaredField(name)
                        .apply { isAccessible = true }
                        .get(shared)
                }.getOrNull()
            if (part is AutoCloseable) {
                runCatching { part.close() }.onFailure {
                    log.debug(
                        "node {}: closing the leftover {} failed: {}",
                        id,
                        name,
                        it.toString(),
                    )
                }
            }
        }
    }

    /**
     * The offset of the cluster metadata that this node's broker answers clients from (its metadata
     * cache), or null when the broker is not running.
     */
    fun servedMetadataOffset(): Long? {
        val broker = servers?.broker ?: return null
        val cache: org.apache.kafka.metadata.KRaftMetadataCache? = broker.metadataCache()
        return cache?.currentImage()?.offset()
    }

    /** The id of [topic] in this broker's metadata cache, or null when it is stopped or does not know the topic. */
    fun topicId(topic: String): org.apache.kafka.common.Uuid? {
        val cache: org.apache.kafka.metadata.KRaftMetadataCache = servers?.broker?.metadataCache() ?: return null
        return cache.getTopicId(topic)?.takeIf { it != org.apache.kafka.common.Uuid.ZERO_UUID }
    }

    /** The running broker's authorizer, or null when it is stopped or ACLs are off. */
    fun authorizer(): Authorizer? {
        val plugin = servers?.broker?.authorizerPlugin() ?: return null
        return if (plugin.isDefined) plugin.get().get() else null
    }

    fun startController() {
        requireNotNull(servers) { "node $id was not created" }.controller.startup()
    }

    /** Starts the broker; returns once the controller has registered and unfenced it. */
    fun startBroker() {
        requireNotNull(servers) { "node $id was not created" }.broker.startup()
    }

    /** Stops the broker half: a controlled shutdown that hands partition leadership to the other brokers. */
    fun stopBroker(controlledShutdownTimeout: java.time.Duration) {
        servers?.broker?.shutdown(controlledShutdownTimeout)
    }

    /** Stops the controller half and forgets the servers; call after [stopBroker]. */
    fun stopController() {
        val current = servers ?: return
        current.controller.shutdown()
        servers = null
    }

    /**
     * Ends this node's Raft client at once, skipping the graceful resignation of [stopController]:
     * a resigning leader waits for a successor, and when the whole quorum stops none comes, so the
     * last leader would wait Kafka's fixed 5 s and log "Graceful shutdown of RaftClient failed".
     * Only for stopping every node; returns within [timeout].
     */
    fun abandonQuorum(timeout: java.time.Duration) {
        val raft = servers?.shared?.raftManager() ?: return
        val driver =
            runCatching {
                raft.javaClass
                    .getDeclaredField("clientDriver")
                    .apply { isAccessible = true }
                    .get(raft) as ShutdownableThread
            }.getOrNull() ?: return
        // Kafka's own shutdown first (it marks the I/O thread as stopping and starts the graceful
        // resignation), then the same shutdown with no time to wait, which replaces it: the I/O
        // thread ends at its next poll, and the graceful one never completes, so nothing logs its failure.
        driver.initiateShutdown()
        (raft.client() as RaftClient<*>).shutdown(0)
        driver.join(timeout.toMillis().coerceAtLeast(1))
    }

    private class Servers(
        val shared: SharedServer,
        val controller: ControllerServer,
        val broker: BrokerServer,
    )

    /**
     * Kafka's standard handler halts the JVM on a fatal fault, which would kill the test run.
     * This one logs the fault, runs its action, and keeps it for [fatalFaults].
     */
    private inner class RecordingFaultHandlers : FaultHandlerFactory {
        override fun build(
            name: String,
            fatal: Boolean,
            action: Runnable,
        ): FaultHandler {
            val logging = LoggingFaultHandler(name, action)
            if (!fatal) return logging
            return FaultHandler { message, cause ->
                faults += "$name: $message" + (cause?.let { " ($it)" } ?: "")
                logging.handleFault(message, cause)
            }
        }
    }

    companion object {
        const val BROKER_LISTENER: String = "BROKER"

        /** The SASL_PLAINTEXT listener clients use when the cluster authenticates them. */
        const val CLIENT_LISTENER: String = "CLIENT"
        const val CONTROLLER_LISTENER: String = "CONTROLLER"
    }
}
