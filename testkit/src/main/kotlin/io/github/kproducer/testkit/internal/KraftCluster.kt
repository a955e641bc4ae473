package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.EmbeddedKafkaSettings
import io.github.kproducer.testkit.EmbeddedKafkaStartupException
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.Uuid
import org.apache.kafka.common.config.ConfigException
import org.apache.kafka.common.utils.Utils
import org.slf4j.LoggerFactory
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.ExecutionException
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.ThreadFactory
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlin.time.toJavaDuration

/**
 * The nodes of one embedded cluster: planning (ports, directories, storage format), parallel start,
 * single-node stop and start, and an orderly close.
 *
 * All nodes are combined broker+controller voters of a static quorum, so they must start together:
 * a broker only finishes starting once a controller quorum has unfenced it.
 */
internal class KraftCluster(
    private val settings: EmbeddedKafkaSettings,
) : AutoCloseable {
    private val log = LoggerFactory.getLogger(KraftCluster::class.java)
    val directory: Path =
        try {
            Files.createTempDirectory(settings.parentDirectory ?: Path.of(System.getProperty("java.io.tmpdir")), "embedded-kafka-")
        } catch (e: java.io.IOException) {
            throw EmbeddedKafkaStartupException("Cannot create the data directory under ${settings.parentDirectory}: ${e.message}", e)
        }
    private val ports = ArrayList<NodePorts>()
    private val nodes = ArrayList<KraftNode>()
    private val lock = Any()
    private var closed = false

    /** The mark of this cluster's threads, so that what a broker logs can be told from another cluster's. */
    val tag: ClusterThreads.Tag = ClusterThreads.Tag()

    /** The housekeeping admin client, see [internalAdmin]; used and changed only under [lock]. */
    private var housekeeping: Admin? = null

    /** Set when a failed start left a starter thread inside Kafka; the data directory is then kept, not deleted under it. */
    @Volatile private var starterStillRunning = false

    val bootstrapServers: String

    /** The fault proxy in front of the client listeners, when [EmbeddedKafkaSettings.faultProxy]. */
    var faultProxy: io.github.kproducer.testkit.internal.faults.ProxyEngine? = null
        private set

    /**
     * Client properties for the brokers' internal (PLAINTEXT, unauthenticated) listener. With the fault
     * proxy on, it is fronted by the proxy too (so that replication can be faulted), but only the
     * replica fetchers' connections are ever faulted there.
     */
    fun internalConnectionProperties(): Map<String, Any> =
        mapOf(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to nodes.joinToString(",") { internalAddressOf(it.id) })

    /** The users clients log in as (the configured ones plus the super user), when the cluster authenticates clients. */
    val credentials: SaslCredentials? = if (settings.sasl) SaslCredentials.of(settings.saslPasswords) else null

    init {
        BrokerLogging.quietUnlessConfigured()
        try {
            for (i in 0 until settings.brokers) ports += NodePorts.bind(HOST, settings.ports.getOrElse(i) { 0 }, settings.sasl, settings.faultProxy)
            // Through the fault proxy when there is one, so that a broker's channels to the controller can be cut.
            val voters = ports.withIndex().joinToString(",") { (i, p) -> "${i + 1}@$HOST:${p.advertisedPort(KraftNode.CONTROLLER_LISTENER)}" }
            val clusterId = Uuid.randomUuid().toString()
            nodes +=
                ports.mapIndexed { i, nodePorts ->
                    val id = i + 1
                    val nodeDirectory = directory.resolve("node-$id")
                    val properties = BrokerProperties.forNode(settings, id, nodeDirectory, nodePorts, voters, credentials)
                    KraftNode(id, nodeDirectory, clusterId, nodePorts, properties)
                }
            bootstrapServers = ports.joinToString(",") { "$HOST:${it.advertisedClientPort}" }
            if (settings.faultProxy) {
                faultProxy =
                    io.github.kproducer.testkit.internal.faults.ProxyEngine(
                        ports.withIndex().associate { (i, p) -> (i + 1) to (p.proxySocket!! to java.net.InetSocketAddress(HOST, p.clientPort)) },
                        { id, topic -> nodes.getOrNull(id - 1)?.topicId(topic) },
                        ports.withIndex().associate { (i, p) ->
                            (i + 1) to
                                p.linkProxySockets.entries.associate { (listener, socket) ->
                                    io.github.kproducer.testkit.internal.faults.Listener
                                        .valueOf(listener) to (socket to java.net.InetSocketAddress(HOST, p.listeners.getValue(listener)))
                                }
                        },
                    )
            }
            val scram = credentials?.scramArguments().orEmpty()
            nodes.forEach { it.format(scram) }
            start(nodes, "The embedded Kafka cluster ($bootstrapServers)")
        } catch (e: Throwable) {
            shutdownQuietly()
            throw e
        }
    }

    val nodeIds: List<Int> get() = nodes.map { it.id }

    fun isRunning(id: Int): Boolean = node(id).isRunning

    fun bootstrapServersOf(id: Int): String = "$HOST:${ports[node(id).id - 1].advertisedClientPort}"

    /** The inter-broker (PLAINTEXT, unauthenticated) address of broker [id], for the test kit's own housekeeping. */
    private fun internalAddressOf(id: Int): String = "$HOST:${ports[node(id).id - 1].brokerPort}"

    /** The authorizers of the running brokers; empty when ACLs are off. */
    fun authorizers(): List<Pair<Int, org.apache.kafka.server.authorizer.Authorizer>> = nodes.mapNotNull { node -> node.authorizer()?.let { node.id to it } }

    /** Stops every broker at once (an outage); their data and ports stay for [startAll]. */
    fun stopAll() {
        synchronized(lock) {
            check(!closed) { "The embedded Kafka cluster is closed" }
            val running = nodes.filter { it.isRunning }
            check(running.isNotEmpty()) { "Every broker is already stopped" }
            stopNodes(running, OUTAGE_STOP_TIMEOUT)
        }
    }

    /**
     * Starts every stopped broker together (a quorum needs them all); returns once each is registered
     * and every partition is led and fully in sync again.
     */
    fun startAll() {
        synchronized(lock) {
            check(!closed) { "The embedded Kafka cluster is closed" }
            val stopped = nodes.filter { !it.isRunning }
            check(stopped.isNotEmpty()) { "Every broker is already running" }
            val started = TimeSource.Monotonic.markNow()
            start(stopped, "The embedded Kafka cluster ($bootstrapServers)")
            awaitServing(null, "startAllBrokers()", started)
        }
    }

    /** Stops broker [id] with a controlled shutdown; the other nodes keep serving. */
    fun stop(id: Int) {
        synchronized(lock) {
            check(!closed) { "The embedded Kafka cluster is closed" }
            val node = node(id)
            check(node.isRunning) { "Broker $id is already stopped" }
            check(nodes.count { it.isRunning } > 1) {
                "Broker $id is the last one running; stopping it would leave no cluster. Close the cluster instead."
            }
            TestKitLogging.quietly {
                TimerReapers.wakeDuring {
                    node.stopBroker(SINGLE_STOP_TIMEOUT.toJavaDuration())
                    node.stopController()
                }
            }
            forgetRegistration(id)
        }
    }

    /**
     * Starts broker [id] again on its old ports and data; returns once the controller has unfenced it
     * and it is back in the ISR of every partition it replicates, and those partitions serve.
     */
    fun start(id: Int) {
        synchronized(lock) {
            check(!closed) { "The embedded Kafka cluster is closed" }
            val node = node(id)
            check(!node.isRunning) { "Broker $id is already running" }
            val started = TimeSource.Monotonic.markNow()
            start(listOf(node), "Broker $id")
            awaitServing(id, "startBroker($id)", started)
        }
    }

    /**
     * Waits, within what is left of the startup timeout, until the partitions serve again: a restarted
     * replica has caught up and rejoined the ISR ([broker]), or after an outage every replica has.
     */
    private fun awaitServing(
        broker: Int?,
        call: String,
        started: TimeSource.Monotonic.ValueTimeMark,
    ) {
        val deadline = Deadline((settings.startup - started.elapsedNow()).coerceAtLeast(1.seconds))
        TestKitLogging.quietly {
            ServingPartitions.await(internalAdmin(), null, broker, deadline, call)
        }
        awaitMetadataOnEveryBroker(deadline, call)
    }

    /**
     * Waits until every running broker answers clients from metadata at least as new as the newest
     * any of them has now. What the test kit just waited for was seen through one broker's metadata
     * (the one its admin client asked); the others apply the same records a few milliseconds later,
     * and a client that asks one of those in between (for the ISR, or a producer for the new topic's
     * leaders) would still see the old state.
     *
     * @throws AssertionError naming [call] when the deadline passes first.
     */
    fun awaitMetadataOnEveryBroker(
        deadline: Deadline,
        call: String,
    ) {
        val running = nodes.filter { it.isRunning }
        val newest = running.maxOfOrNull { it.servedMetadataOffset() ?: -1L } ?: return
        while (true) {
            val behind = running.filter { (it.servedMetadataOffset() ?: newest) < newest }
            if (behind.isEmpty()) return
            if (deadline.hasPassed) {
                throw AssertionError(
                    "$call: brokers ${behind.map { it.id }} did not apply the cluster metadata up to offset $newest within ${deadline.timeout}",
                )
            }
            deadline.pause(METADATA_POLL)
        }
    }

    /**
     * The admin client on the brokers' internal (PLAINTEXT, unauthenticated) listener, for the test
     * kit's own housekeeping; opened on first use and kept until [close], since each new client costs a
     * stop or start its creation and a first metadata round trip. Its reconnect backoff is kept short:
     * it talks to brokers that the test stops and starts, and must not wait out a backoff grown while
     * a broker was down once that broker is back.
     */
    private fun internalAdmin(): Admin =
        housekeeping ?: Admin
            .create(
                mapOf(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to nodes.joinToString(",") { internalAddressOf(it.id) },
                    AdminClientConfig.CLIENT_ID_CONFIG to TestKitLogging.CLIENT_ID_PREFIX + "housekeeping",
                    AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG to HOUSEKEEPING_BACKOFF_MS,
                    AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG to HOUSEKEEPING_BACKOFF_MS,
                    AdminClientConfig.RETRY_BACKOFF_MS_CONFIG to HOUSEKEEPING_BACKOFF_MS,
                    AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG to HOUSEKEEPING_BACKOFF_MS,
                ),
            ).also { housekeeping = it }

    /** Closes the housekeeping admin client, if one was opened, without waiting: no call of it is in flight. */
    private fun closeHousekeeping() {
        val admin = housekeeping ?: return
        housekeeping = null
        TestKitLogging.quietly { runCatching { admin.close(java.time.Duration.ZERO) } }
    }

    /**
     * Removes the stopped broker's registration from the cluster metadata. Otherwise the controller
     * refuses the restarted broker (a duplicate registration) until the old session times out, which
     * makes every restart take `broker.session.timeout.ms` (9 s). Its replica assignments stay, so
     * the restarted broker takes its partitions back.
     */
    private fun forgetRegistration(id: Int) {
        try {
            TestKitLogging.quietly {
                internalAdmin().unregisterBroker(id).all().get(UNREGISTER_TIMEOUT.inWholeMilliseconds, TimeUnit.MILLISECONDS)
            }
        } catch (e: Exception) {
            log.warn("Could not unregister stopped broker {}; its restart waits for the session timeout", id, e)
        }
    }

    override fun close() {
        synchronized(lock) {
            if (closed) return
            closed = true
        }
        shutdownQuietly()
    }

    private fun node(id: Int): KraftNode =
        nodes.firstOrNull { it.id == id }
            ?: throw IllegalArgumentException("There is no broker $id; the brokers are ${nodes.map { it.id }}")

    private fun start(
        toStart: List<KraftNode>,
        what: String,
    ): Unit = ClusterThreads.within(tag) { startNodes(toStart, what) }

    private fun startNodes(
        toStart: List<KraftNode>,
        what: String,
    ) {
        val started = TimeSource.Monotonic.markNow()
        val executor = Executors.newFixedThreadPool(toStart.size, StarterThreads(what))
        try {
            toStart.forEach { it.create() }
            // Controllers first, all at once, so that the quorum can elect a leader; then the brokers,
            // each of which waits until that leader registers and unfences it.
            awaitAll(toStart.map { node -> executor.submit { node.startController() } }, what, started)
            awaitAll(toStart.map { node -> executor.submit { node.startBroker() } }, what, started)
            log.info("{} started in {} ms", what, started.elapsedNow().inWholeMilliseconds)
        } catch (e: Throwable) {
            // Interrupted, a start that waits (for a quorum, for its registration) fails and cleans up after
            // itself. Stopping a node while its start still runs would race with it: the start goes on creating
            // threads after the stop looked (seen with a warm JVM, a few times in fifteen). So the starts end
            // first, and the nodes stop after.
            executor.shutdownNow()
            var ended = TimerReapers.wakeDuring { executor.awaitTermination(STARTER_QUIET.inWholeMilliseconds, TimeUnit.MILLISECONDS) }
            // Stopping the nodes also ends a start that waits for a quorum which will not form; then
            // the starter threads, which may still be inside Kafka's startup writing to the data
            // directory, get a bounded while to end before anyone deletes that directory.
            stopNodes(toStart, CLOSE_TIMEOUT)
            if (!ended) {
                ended = executor.awaitTermination(STARTER_JOIN.inWholeMilliseconds, TimeUnit.MILLISECONDS)
                // A start that finished after the stop above ignored it: stop those nodes once more.
                if (ended) toStart.filter { it.reviveLateStart() }.takeIf { it.isNotEmpty() }?.let { stopNodes(it, CLOSE_TIMEOUT) }
            }
            if (!ended) {
                starterStillRunning = true
                log.warn("{} did not end its start within {} after failing; the data directory {} is kept", what, STARTER_JOIN, directory)
            } else {
                toStart.forEach { it.closeLeftovers() }
                // Timer threads that the failing starts stopped themselves end within a poll; wake them and let them end.
                TimerReapers.finishStopping(CLOSE_TIMEOUT.inWholeMilliseconds)
            }
            throw e
        } finally {
            executor.shutdown()
        }
    }

    private fun awaitAll(
        futures: List<Future<*>>,
        what: String,
        started: TimeSource.Monotonic.ValueTimeMark,
    ) {
        for (future in futures) {
            val remaining = (settings.startup - started.elapsedNow()).inWholeMilliseconds.coerceAtLeast(1)
            try {
                future.get(remaining, TimeUnit.MILLISECONDS)
            } catch (e: TimeoutException) {
                throw EmbeddedKafkaStartupException(
                    "$what did not start within ${settings.startup}.${faultSummary()} " +
                        "Raise startupTimeout if the machine is slow, or look for broker errors in the log.",
                    e,
                )
            } catch (e: ExecutionException) {
                throw explain(what, e.cause ?: e)
            }
        }
    }

    private fun explain(
        what: String,
        cause: Throwable,
    ): EmbeddedKafkaStartupException {
        if (cause is EmbeddedKafkaStartupException) return cause
        val reason =
            when (cause) {
                is ConfigException -> "Kafka rejected the broker configuration: ${cause.message}"
                is KafkaException -> cause.message ?: cause.toString()
                else -> cause.toString()
            }
        return EmbeddedKafkaStartupException("$what failed to start: $reason${faultSummary()}", cause)
    }

    private fun faultSummary(): String {
        val faults = nodes.flatMap { node -> node.fatalFaults.map { "node ${node.id}: $it" } }
        return if (faults.isEmpty()) "" else " Fatal faults: ${faults.joinToString("; ")}."
    }

    private fun shutdownQuietly() {
        closeHousekeeping()
        val running = nodes.filter { it.isRunning }
        if (running.isNotEmpty()) stopNodes(running, CLOSE_TIMEOUT)
        // After the nodes: their Raft traffic and their brokers' channels to the controller pass through the
        // proxy, and a broker's controlled shutdown cut off from the controller would wait out its timeout.
        runCatching { faultProxy?.close() }
        ports.forEach { it.releaseUnclaimed() }
        if (starterStillRunning) return
        try {
            Utils.delete(directory.toFile())
        } catch (e: java.io.IOException) {
            log.warn("Could not delete the embedded Kafka data directory {}: {}", directory, e.message)
        }
    }

    /**
     * Stops brokers first, all at once (each hands its leaderships over), then the controllers; each
     * step bounded by [timeout], so that a node stuck in Kafka's shutdown cannot hold the caller.
     * When every node stops, the Raft clients end without the graceful resignation that would only
     * wait for a successor that never comes ([KraftNode.abandonQuorum]).
     */
    private fun stopNodes(
        toStop: List<KraftNode>,
        timeout: Duration,
    ) {
        val executor = Executors.newCachedThreadPool(StarterThreads("stop"))
        try {
            TimerReapers.wakeDuring {
                runAll(executor, toStop, timeout, "broker shutdown") { it.stopBroker(timeout.toJavaDuration()) }
                if (nodes.size > 1 && nodes.none { it.isRunning && it !in toStop }) {
                    runAll(executor, toStop, timeout, "quorum shutdown") { it.abandonQuorum(timeout.toJavaDuration()) }
                }
                runAll(executor, toStop, timeout, "controller shutdown") { it.stopController() }
            }
        } finally {
            executor.shutdown()
        }
    }

    private fun runAll(
        executor: java.util.concurrent.ExecutorService,
        toStop: List<KraftNode>,
        timeout: Duration,
        what: String,
        step: (KraftNode) -> Unit,
    ) {
        val deadline = Deadline(timeout + STOP_GRACE)
        toStop.map { node -> node to executor.submit { step(node) } }.forEach { (node, future) ->
            try {
                future.get(deadline.remaining.inWholeMilliseconds, TimeUnit.MILLISECONDS)
            } catch (e: TimeoutException) {
                log.warn("The {} of node {} did not end within {}; going on without it", what, node.id, timeout + STOP_GRACE)
            } catch (e: ExecutionException) {
                log.warn("The {} of node {} failed: {}", what, node.id, describeFailure(e.cause ?: e))
            }
        }
    }

    private class StarterThreads(
        private val what: String,
    ) : ThreadFactory {
        private val count = AtomicInteger()

        override fun newThread(task: Runnable): Thread =
            Thread(task, "embedded-kafka-$what-${count.incrementAndGet()}".replace(' ', '-')).apply { isDaemon = true }
    }

    companion object {
        const val HOST: String = "127.0.0.1"
        private val SINGLE_STOP_TIMEOUT = 30.seconds
        private val CLOSE_TIMEOUT = 5.seconds
        private val UNREGISTER_TIMEOUT = 10.seconds
        private val OUTAGE_STOP_TIMEOUT = 5.seconds
        private const val HOUSEKEEPING_BACKOFF_MS = 20

        /** Between two looks at the brokers' metadata offsets (in-process reads, no requests). */
        private val METADATA_POLL = 1.milliseconds

        /** How long the threads of a failed start may take to end once their nodes are stopped. */
        private val STARTER_JOIN = 10.seconds

        /** How long the starts of a failed start get to end by themselves, interrupted, before the nodes are stopped under them. */
        private val STARTER_QUIET = 5.seconds

        /** What a stop step may take beyond its own timeout (Kafka closes thread pools after it). */
        private val STOP_GRACE = 5.seconds
    }
}
