package io.github.kproducer.testkit.internal.faults

import org.apache.kafka.common.Uuid
import org.apache.kafka.common.protocol.ApiKeys
import org.apache.kafka.common.protocol.ByteBufferAccessor
import org.apache.kafka.common.protocol.Errors
import org.apache.kafka.common.requests.AbstractRequest
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest
import org.apache.kafka.common.requests.ListOffsetsRequest
import org.apache.kafka.common.requests.MetadataRequest
import org.apache.kafka.common.requests.ProduceRequest
import org.apache.kafka.common.requests.RequestHeader
import org.apache.kafka.common.requests.TxnOffsetCommitRequest
import org.slf4j.LoggerFactory
import java.io.BufferedInputStream
import java.io.DataInputStream
import java.io.IOException
import java.net.InetSocketAddress
import java.net.Socket
import java.nio.ByteBuffer
import java.nio.channels.ServerSocketChannel
import java.util.ArrayDeque
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLongArray
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/** What a matching rule does to a request. */
internal sealed interface Action {
    /** Answer at once with [error]; the request never reaches the broker. */
    class Respond(
        val error: Errors,
    ) : Action

    /** Forward the request, discard the broker's answer. */
    data object Drop : Action

    /** Forward the request, hold the answer back by [by]. */
    class Delay(
        val by: kotlin.time.Duration,
    ) : Action {
        val nanos: Long get() = by.inWholeNanoseconds
    }

    /**
     * Answer the rule's partition with [error], the rest of the request as the broker does: a `Produce`
     * goes on without that partition (it is not appended), a `Metadata` or `ListOffsets` answer is
     * rewritten for it.
     */
    class RespondForPartition(
        val error: Errors,
    ) : Action

    /** Forward the request; the answer carries a `throttle_time_ms` of [ms]. */
    class Throttle(
        val by: kotlin.time.Duration,
    ) : Action {
        val ms: Int get() = by.inWholeMilliseconds.toInt()
    }
}

/** One protocol fault: which requests it matches, what it does, and how often (a count, a deadline, a fraction). */
internal class Rule(
    val apiKey: ApiKeys,
    val topic: String?,
    val partition: Int?,
    val brokerId: Int?,
    val action: Action,
    times: Int,
    private val during: kotlin.time.Duration,
    private val fraction: Double,
) {
    private val remaining = AtomicInteger(times)
    private val seen =
        java.util.concurrent.atomic
            .AtomicLong()
    val applied = AtomicInteger()

    @Volatile private var until = Long.MAX_VALUE

    @Volatile var topicId: Uuid? = null

    fun start(now: Long) {
        if (during.isFinite()) until = now + during.inWholeNanoseconds
    }

    /** Claims one application for a matching request; false when the rule skips it, is used up or expired. */
    fun claim(now: Long): Boolean {
        if (now >= until || remaining.get() <= 0) return false
        if (fraction < 1.0) {
            // The k-th matching request is hit when floor(k * fraction) steps up: evenly spread and reproducible.
            val k = seen.incrementAndGet()
            if (Math.floor(k * fraction) <= Math.floor((k - 1) * fraction)) return false
        }
        while (true) {
            val left = remaining.get()
            if (left <= 0) return false
            if (left == Int.MAX_VALUE || remaining.compareAndSet(left, left - 1)) break
        }
        applied.incrementAndGet()
        return true
    }
}

/** Network faults of one scope: for [brokerId], or every broker when null. */
internal class NetworkRule(
    val brokerId: Int?,
    val latencyUpNanos: Long = 0,
    val latencyDownNanos: Long = 0,
    val bytesPerSecond: Long = 0,
    val refuseNanos: Long = 0,
    val cut: Boolean = false,
) {
    @Volatile var refuseUntil: Long = 0
}

/** Which of a node's listeners a proxy socket fronts. */
internal enum class Listener {
    /** Clients' requests: request faults and network faults act here. */
    CLIENT,

    /** The inter-broker listener: followers fetch from their leaders through it. */
    BROKER,

    /** The controller listener: Raft between the voters, and each broker's channels to the active controller. */
    CONTROLLER,
}

/**
 * A fault of the links between nodes: connections to node [target]'s (null: every node's) [listener]
 * that node [from] opened (its replica fetchers on [Listener.BROKER], its broker's channels to the
 * controller on [Listener.CONTROLLER]). A cut link closes those connections and every new one after
 * its first request; a slowed one delays each frame by [latencyNanos] in each direction and caps
 * each direction at [bytesPerSecond].
 */
internal class LinkRule(
    val listener: Listener,
    val target: Int?,
    val from: Int,
    val cut: Boolean = false,
    val latencyNanos: Long = 0,
    val bytesPerSecond: Long = 0,
)

/** The rules one `faults { }` scope installed, and the request versions the proxy saw while it was open. */
internal class FaultSet(
    val rules: List<Rule>,
    val network: List<NetworkRule>,
    val versions: List<VersionRange> = emptyList(),
    val links: List<LinkRule> = emptyList(),
) {
    /** For each API key (by id), a bit per request version seen (versions 0 to 63). */
    private val seen = AtomicLongArray(ApiKeys.entries.maxOf { it.id.toInt() } + 1)

    fun saw(
        apiKey: ApiKeys,
        version: Short,
    ) {
        if (version in 0..63) seen.getAndAccumulate(apiKey.id.toInt(), 1L shl version.toInt(), Long::or)
    }

    /** The versions of [apiKey] requests seen, lowest first. */
    fun versionsOf(apiKey: ApiKeys): Set<Short> {
        val bits = seen[apiKey.id.toInt()]
        return (0 until 64).filter { bits and (1L shl it) != 0L }.mapTo(java.util.TreeSet()) { it.toShort() }
    }
}

/** The effective state of one link between nodes: cut, or its [net] faults. */
private class LinkState(
    val cut: Boolean,
    val net: NetState,
)

/** The effective network state of one broker, recomputed when a scope opens or closes. */
private class NetState(
    val upNanos: Long,
    val downNanos: Long,
    val bytesPerSecond: Long,
)

/**
 * The in-JVM fault proxy: one listening socket per broker in front of its client listener. Each client
 * connection gets an upstream connection to the broker and four daemon threads (a reader and a writer per
 * direction), named `kproducer-fault-proxy-...`. Requests are counted per API key and broker; a rule
 * may answer a request itself (a real error response built with Kafka's own classes), drop or delay the
 * broker's answer. Answers always leave in request order (the client requires it): each request that
 * expects an answer takes a slot in a per-connection queue, and the writer emits slots from the head.
 */
internal class ProxyEngine(
    listeners: Map<Int, Pair<ServerSocketChannel, InetSocketAddress>>,
    private val topicIdOf: (Int, String) -> Uuid?,
    /** Proxy sockets in front of the nodes' inter-broker and controller listeners, by node id; empty: none. */
    links: Map<Int, Map<Listener, Pair<ServerSocketChannel, InetSocketAddress>>> = emptyMap(),
) : AutoCloseable {
    private val log = LoggerFactory.getLogger(ProxyEngine::class.java)
    private val sets = CopyOnWriteArrayList<FaultSet>()

    @Volatile private var rules: List<Rule> = emptyList()

    @Volatile private var versionRanges: List<VersionRange> = emptyList()

    /** The open scopes, as an array: every request marks its version in each, without an iterator. */
    @Volatile private var openSets: Array<FaultSet> = emptyArray()

    @Volatile private var closed = false
    private val nodes: Map<Int, Node> = listeners.mapValues { (id, pair) -> Node(id, pair.first, pair.second, Listener.CLIENT) }
    private val linkNodes: List<Node> =
        links.flatMap { (id, byListener) -> byListener.map { (listener, pair) -> Node(id, pair.first, pair.second, listener) } }
    private val counts = nodes.keys.associateWith { AtomicLongArray(MAX_KEY + 1) }

    /** The effective state of each faulted link, by (listener, target node, source node); absent: untouched. */
    @Volatile private var linkStates: Map<Triple<Listener, Int, Int>, LinkState> = emptyMap()

    init {
        nodes.values.forEach { it.start() }
        linkNodes.forEach { it.start() }
    }

    /** Requests of [apiKey] the proxy saw, at [brokerId] or every broker. */
    fun requests(
        apiKey: ApiKeys,
        brokerId: Int?,
    ): Long =
        if (brokerId != null) {
            requireNotNull(counts[brokerId]) { "There is no broker $brokerId; the brokers are ${nodes.keys}" }[apiKey.id.toInt()]
        } else {
            counts.values.sumOf { it[apiKey.id.toInt()] }
        }

    fun brokerIds(): Set<Int> = nodes.keys

    fun install(set: FaultSet) {
        check(!closed) { "The embedded Kafka cluster is closed" }
        val now = System.nanoTime()
        set.rules.forEach { it.start(now) }
        set.network.forEach { if (it.refuseNanos > 0) it.refuseUntil = now + it.refuseNanos }
        sets += set
        recompute()
        set.network.filter { it.cut }.forEach { rule -> nodes.values.filter { rule.brokerId == null || it.id == rule.brokerId }.forEach { it.cutAll() } }
        // Open connections of a link cut now close; new ones close after their first request (see Connection).
        if (set.links.any { it.cut }) linkNodes.forEach { it.cutFaulted() }
    }

    fun remove(set: FaultSet) {
        sets.remove(set)
        recompute()
    }

    fun cut(brokerId: Int?) = nodes.values.filter { brokerId == null || it.id == brokerId }.forEach { it.cutAll() }

    private fun recompute() {
        rules = sets.flatMap { it.rules }
        versionRanges = sets.flatMap { it.versions }
        openSets = sets.toTypedArray()
        nodes.values.forEach { node ->
            val net = sets.flatMap { it.network }.filter { it.brokerId == null || it.brokerId == node.id }
            node.net =
                NetState(
                    net.maxOfOrNull { it.latencyUpNanos } ?: 0,
                    net.maxOfOrNull { it.latencyDownNanos } ?: 0,
                    net.filter { it.bytesPerSecond > 0 }.minOfOrNull { it.bytesPerSecond } ?: 0,
                )
            node.refusing = net.filter { it.refuseNanos > 0 }
        }
        val states = HashMap<Triple<Listener, Int, Int>, LinkState>()
        for (rule in sets.flatMap { it.links }) {
            // Every node, the source's own included: a broker reaches the controller on its own node through the network too.
            val targets = if (rule.target != null) listOf(rule.target) else nodes.keys
            for (target in targets) {
                val key = Triple(rule.listener, target, rule.from)
                val old = states[key] ?: LinkState(false, NetState(0, 0, 0))
                val rate = listOf(old.net.bytesPerSecond, rule.bytesPerSecond).filter { it > 0 }.minOrNull() ?: 0
                val latency = maxOf(old.net.upNanos, rule.latencyNanos)
                states[key] = LinkState(old.cut || rule.cut, NetState(latency, latency, rate))
            }
        }
        linkStates = states
    }

    /** The state of the link into node [target]'s [listener] from node [from]; null when no fault touches it. */
    private fun linkState(
        listener: Listener,
        target: Int,
        from: Int,
    ): LinkState? = linkStates[Triple(listener, target, from)]

    override fun close() {
        closed = true
        sets.clear()
        recompute()
        nodes.values.forEach { it.close() }
        linkNodes.forEach { it.close() }
    }

    /** Decides what happens to one request; null means forward it untouched. */
    private fun decide(
        brokerId: Int,
        header: RequestHeader,
        body: ByteBuffer,
        alreadyParsed: AbstractRequest?,
        now: Long,
    ): Pair<Rule, AbstractRequest?>? {
        val current = rules
        if (current.isEmpty()) return null
        var parsed: AbstractRequest? = alreadyParsed
        for (rule in current) {
            if (rule.apiKey != header.apiKey() || (rule.brokerId != null && rule.brokerId != brokerId)) continue
            if (rule.topic != null || rule.action is Action.Respond) {
                if (parsed == null) parsed = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), ByteBufferAccessor(body.duplicate())).request
            }
            if (rule.topic != null && !names(parsed!!, rule, brokerId)) continue
            if (rule.claim(now)) return rule to parsed
        }
        return null
    }

    private fun names(
        request: AbstractRequest,
        rule: Rule,
        brokerId: Int,
    ): Boolean {
        val topic = rule.topic!!
        val partition = rule.partition
        return when (request) {
            is ProduceRequest -> {
                val id = rule.topicId ?: topicIdOf(brokerId, topic)?.also { rule.topicId = it }
                request.data().topicData().any { data ->
                    (data.name() == topic || (id != null && data.topicId() == id)) &&
                        (partition == null || data.partitionData().any { it.index() == partition })
                }
            }

            is MetadataRequest -> {
                request.data().topics()?.any { it.name() == topic } ?: true
            }

            is AddPartitionsToTxnRequest -> {
                request.data().v3AndBelowTopics().any { it.name() == topic && (partition == null || partition in it.partitions()) }
            }

            is ListOffsetsRequest -> {
                request.data().topics().any { data ->
                    data.name() == topic && (partition == null || data.partitions().any { it.partitionIndex() == partition })
                }
            }

            is TxnOffsetCommitRequest -> {
                request.data().topics().any { data ->
                    data.name() == topic && (partition == null || data.partitions().any { it.partitionIndex() == partition })
                }
            }

            else -> {
                false
            }
        }
    }

    /** The listening socket of one broker's [kind] listener and its open connections. */
    private inner class Node(
        val id: Int,
        private val server: ServerSocketChannel,
        private val upstream: InetSocketAddress,
        val kind: Listener,
    ) {
        @Volatile var net = NetState(0, 0, 0)

        @Volatile var refusing: List<NetworkRule> = emptyList()
        private val connections = ConcurrentHashMap.newKeySet<Connection>()
        private val serial = AtomicInteger()

        /** The part of thread names that tells this socket from the node's others. */
        val label = if (kind == Listener.CLIENT) "broker-$id" else "broker-$id-${kind.name.lowercase()}"
        private val acceptor = Thread(::acceptLoop, "kproducer-fault-proxy-$label-accept").apply { isDaemon = true }

        fun start() = acceptor.start()

        private fun acceptLoop() {
            while (!closed) {
                val client =
                    try {
                        server.accept().socket()
                    } catch (e: IOException) {
                        // Closing ends the loop; anything else must not leave the broker unreachable without a word.
                        if (closed || !server.isOpen) break
                        log.warn("Fault proxy of broker {} could not accept a connection, accepting again: {}", id, e.toString())
                        Thread.sleep(ACCEPT_RETRY_MS)
                        continue
                    }
                val now = System.nanoTime()
                if (kind == Listener.CLIENT && refusing.any { now < it.refuseUntil }) {
                    runCatching { client.close() }
                    continue
                }
                try {
                    val broker = Socket()
                    broker.connect(upstream, CONNECT_TIMEOUT_MS)
                    broker.tcpNoDelay = true
                    client.tcpNoDelay = true
                    val connection = Connection(this, client, broker, serial.incrementAndGet())
                    connections += connection
                    connection.start()
                } catch (e: IOException) {
                    runCatching { client.close() }
                } catch (e: RuntimeException) {
                    log.warn("Fault proxy of broker {} could not relay a new connection: {}", id, e.toString())
                    runCatching { client.close() }
                }
            }
        }

        fun cutAll() = ArrayList(connections).forEach { it.close() }

        /** Closes the connections whose link is cut now. */
        fun cutFaulted() = ArrayList(connections).forEach { if (it.linkCut()) it.close() }

        fun forget(connection: Connection) {
            connections.remove(connection)
        }

        fun close() {
            runCatching { server.close() }
            cutAll()
            acceptor.join(JOIN_MS)
        }
    }

    /** One frame waiting to go to the broker. */
    private class Outbound(
        val bytes: ByteArray,
        val dueAt: Long,
    )

    /** The place of one answer in the order the client expects; [rewrite], when set, changes the broker's answer before it goes on. */
    private class Slot(
        val correlationId: Int,
        val discard: Boolean,
        val extraDelayNanos: Long,
        val rewrite: ((ByteArray) -> ByteArray)? = null,
    ) {
        var bytes: ByteArray? = null
        var readyAt: Long = 0
    }

    /** One client connection and its upstream connection to the broker. */
    private inner class Connection(
        private val node: Node,
        private val client: Socket,
        private val broker: Socket,
        serial: Int,
    ) {
        @Volatile private var open = true
        private val toBroker = LinkedBlockingQueue<Outbound>()
        private val lock = ReentrantLock()
        private val changed = lock.newCondition()
        private val slots = ArrayDeque<Slot>()

        /** Serializes writes to the broker: a frame goes straight out only when none waits in [toBroker]. */
        private val brokerWrite = ReentrantLock()
        private val queuedToBroker = AtomicInteger()

        /** Set by the first dropped answer: no later answer reaches the client on this connection. */
        private var answersLost = false

        /** Serializes taking answers off [slots] and writing them, so answers never overtake one another. */
        private val clientWrite = ReentrantLock()
        private val brokerOut = broker.getOutputStream()
        private val clientOut = client.getOutputStream()
        private val name = "kproducer-fault-proxy-${node.label}-conn-$serial"

        /**
         * The node that opened this connection to a [Listener.BROKER] or [Listener.CONTROLLER] socket,
         * read from the client id of its first request when that names a link a fault can act on
         * (a replica fetcher's `broker-F-fetcher-N`; a node's channels to the controller use its bare id, `F`);
         * null for any other connection, and until the first request arrived.
         */
        @Volatile private var from: Int? = null

        /** The network state of this connection: its node's for a client connection, its link's otherwise. */
        private fun net(): NetState {
            if (node.kind == Listener.CLIENT) return node.net
            val source = from ?: return UNTOUCHED
            return linkState(node.kind, node.id, source)?.net ?: UNTOUCHED
        }

        /** Whether this connection belongs to a link that is cut now. */
        fun linkCut(): Boolean {
            val source = from ?: return false
            return linkState(node.kind, node.id, source)?.cut == true
        }

        private val threads =
            listOf(
                Thread(::readClient, "$name-from-client"),
                Thread(::writeBroker, "$name-to-broker"),
                Thread(::readBroker, "$name-from-broker"),
                Thread(::writeClient, "$name-to-client"),
            ).onEach { it.isDaemon = true }

        fun start() = threads.forEach { it.start() }

        fun close() {
            if (!open) return
            open = false
            runCatching { client.close() }
            runCatching { broker.close() }
            lock.withLock { changed.signalAll() }
            node.forget(this)
        }

        private fun guarded(body: () -> Unit) {
            try {
                body()
            } catch (e: IOException) {
                // The peer closed, or the connection was cut.
            } catch (e: InterruptedException) {
                // Closing.
            } catch (e: RuntimeException) {
                log.warn("Fault proxy connection {} failed: {}", name, e.toString())
            } finally {
                close()
            }
        }

        private fun readClient() =
            guarded {
                val input = DataInputStream(BufferedInputStream(client.getInputStream(), BUFFER))
                while (open) {
                    val frame = readFrame(input)
                    val now = System.nanoTime()
                    val payload = ByteBuffer.wrap(frame, 4, frame.size - 4).slice()
                    val header = RequestHeader.parse(payload.duplicate())
                    if (node.kind != Listener.CLIENT) {
                        // Between nodes: only link faults act; no request is counted, matched or rewritten.
                        if (from == null) from = sourceOf(node.kind, header.clientId())
                        if (linkCut()) return@guarded
                        val net = net()
                        lock.withLock { slots.addLast(Slot(header.correlationId(), false, 0)) }
                        if (net.upNanos == 0L && net.bytesPerSecond == 0L && writeDirect(frame)) continue
                        queuedToBroker.incrementAndGet()
                        toBroker.put(Outbound(frame, now + net.upNanos))
                        continue
                    }
                    counts.getValue(node.id).incrementAndGet(header.apiKey().id.toInt())
                    val scopes = openSets
                    for (i in scopes.indices) scopes[i].saw(header.apiKey(), header.apiVersion())
                    val body = payload.duplicate().position(header.size())
                    // A Produce is read anyway (acks=0 expects no answer); the rules then use the same parsed request.
                    val produce =
                        if (header.apiKey() == ApiKeys.PRODUCE) {
                            AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), ByteBufferAccessor(body.duplicate())).request as ProduceRequest
                        } else {
                            null
                        }
                    val expectsAnswer = produce == null || produce.acks() != 0.toShort()
                    val decision = decide(node.id, header, body, produce, now)
                    val net = net()
                    val rule = decision?.first
                    val action = rule?.action
                    if (action is Action.Respond) {
                        if (expectsAnswer) {
                            answerNow(
                                Answers.answer(header, decision.second!!.getErrorResponse(0, action.error.exception()).data()),
                                header,
                                now,
                                net,
                            )
                        }
                        continue
                    }
                    // What the answer needs changed on its way back; the request may change on its way out.
                    val edits = ArrayList<AnswerEdit>(0)
                    var forward = frame
                    when (action) {
                        is Action.RespondForPartition -> {
                            val topic = rule.topic!!
                            val partition = rule.partition!!
                            when (header.apiKey()) {
                                ApiKeys.PRODUCE -> {
                                    val id = rule.topicId ?: topicIdOf(node.id, topic)
                                    val split = Answers.splitProduce(produce!!, header.apiVersion(), topic, id, partition, action.error)
                                    if (split != null) {
                                        if (split.forward == null) {
                                            // Only the failed partition was asked for: the broker never sees the request.
                                            if (expectsAnswer) answerNow(Answers.answer(header, split.failed!!), header, now, net)
                                            continue
                                        }
                                        forward = Answers.request(header, split.forward)
                                        split.failed?.let { edits += Answers.addProduceAnswers(it) }
                                    }
                                }

                                ApiKeys.METADATA -> {
                                    edits += Answers.failMetadataPartition(topic, partition, action.error)
                                }

                                ApiKeys.LIST_OFFSETS -> {
                                    edits += Answers.failListOffsetsPartition(topic, partition, action.error)
                                }

                                else -> {
                                    // FaultsConfig allows respondForPartition on these three APIs only.
                                }
                            }
                        }

                        is Action.Throttle -> {
                            edits += Answers.throttle(action.ms)
                        }

                        else -> {}
                    }
                    if (header.apiKey() == ApiKeys.API_VERSIONS) {
                        val ranges = versionRanges.filter { it.brokerId == null || it.brokerId == node.id }
                        if (ranges.isNotEmpty()) edits += Answers.narrowVersions(ranges)
                    }
                    if (expectsAnswer) {
                        val rewrite = if (edits.isEmpty()) null else { answer: ByteArray -> Answers.edit(answer, header, edits) }
                        val slot = Slot(header.correlationId(), action is Action.Drop, (action as? Action.Delay)?.nanos ?: 0, rewrite)
                        lock.withLock { slots.addLast(slot) }
                    }
                    if (net.upNanos == 0L && net.bytesPerSecond == 0L && writeDirect(forward)) continue
                    queuedToBroker.incrementAndGet()
                    toBroker.put(Outbound(forward, now + net.upNanos))
                }
            }

        /**
         * Writes [frame] to the broker on the reader's thread, skipping the hand-off to the writer thread,
         * when no earlier frame waits for it (so frames keep their order); false when one waits.
         */
        private fun writeDirect(frame: ByteArray): Boolean {
            if (queuedToBroker.get() != 0) return false
            brokerWrite.withLock {
                if (queuedToBroker.get() != 0) return false
                brokerOut.write(frame)
                return true
            }
        }

        private fun writeBroker() =
            guarded {
                while (open) {
                    val next = toBroker.poll(POLL_MS, TimeUnit.MILLISECONDS) ?: continue
                    sleepUntil(next.dueAt)
                    brokerWrite.withLock {
                        writePaced(brokerOut, next.bytes)
                        queuedToBroker.decrementAndGet()
                    }
                }
            }

        private fun readBroker() =
            guarded {
                val input = DataInputStream(BufferedInputStream(broker.getInputStream(), BUFFER))
                while (open) {
                    val frame = readFrame(input)
                    val correlationId = ByteBuffer.wrap(frame, 4, 4).int
                    val now = System.nanoTime()
                    // Only this thread fills slots, so the one found stays unfilled while its answer is rewritten.
                    val found = lock.withLock { slots.firstOrNull { it.bytes == null && it.correlationId == correlationId } }
                    val answer = found?.rewrite?.let { rewrite -> rewritten(rewrite, frame) } ?: frame
                    lock.withLock {
                        val slot = found ?: Slot(correlationId, false, 0).also { slots.addLast(it) }
                        slot.bytes = answer
                        slot.readyAt = now + net().downNanos + slot.extraDelayNanos
                        changed.signalAll()
                    }
                }
            }

        private fun writeClient() =
            guarded {
                while (open) {
                    var waitNanos = 0L
                    clientWrite.withLock {
                        val toWrite =
                            lock.withLock {
                                val head = slots.peekFirst()
                                val now = System.nanoTime()
                                when {
                                    head == null || head.bytes == null -> {
                                        waitNanos = TimeUnit.MILLISECONDS.toNanos(POLL_MS)
                                        null
                                    }

                                    head.discard || answersLost -> {
                                        // A lost answer silences the connection from there on: TCP cannot lose one frame and
                                        // deliver the next, and a client that got a later answer first fails on the
                                        // correlation id (the real client then stalls). It times out and reconnects instead.
                                        answersLost = true
                                        slots.removeFirst()
                                        null
                                    }

                                    head.readyAt > now -> {
                                        waitNanos = minOf(head.readyAt - now, TimeUnit.MILLISECONDS.toNanos(POLL_MS))
                                        null
                                    }

                                    else -> {
                                        slots.removeFirst().bytes
                                    }
                                }
                            }
                        if (toWrite != null) writePaced(clientOut, toWrite)
                    }
                    if (waitNanos > 0) {
                        lock.withLock {
                            // Wait only if nothing changed since the look above: a filled head signals [changed].
                            val head = slots.peekFirst()
                            if (open && (head == null || head.bytes == null || head.readyAt > System.nanoTime())) changed.awaitNanos(waitNanos)
                        }
                    }
                }
            }

        /** Queues [bytes], the proxy's own answer to the request of [header], to leave after the latency of both directions. */
        private fun answerNow(
            bytes: ByteArray,
            header: RequestHeader,
            now: Long,
            net: NetState,
        ) {
            val slot = Slot(header.correlationId(), false, 0)
            slot.bytes = bytes
            slot.readyAt = now + net.upNanos + net.downNanos
            lock.withLock {
                slots.addLast(slot)
                changed.signalAll()
            }
        }

        /** [answer] as [rewrite] makes it; the broker's answer unchanged (and a warning) when it cannot be rewritten. */
        private fun rewritten(
            rewrite: (ByteArray) -> ByteArray,
            answer: ByteArray,
        ): ByteArray =
            try {
                rewrite(answer)
            } catch (e: RuntimeException) {
                log.warn("Fault proxy connection {} could not rewrite an answer, relaying it unchanged: {}", name, e.toString())
                answer
            }

        /** Writes [bytes], in chunks paced to the bandwidth cap when there is one, so the cap holds within a frame too. */
        private fun writePaced(
            output: java.io.OutputStream,
            bytes: ByteArray,
        ) {
            val rate = net().bytesPerSecond
            if (rate <= 0) {
                output.write(bytes)
                return
            }
            var offset = 0
            var due = System.nanoTime()
            while (offset < bytes.size) {
                val length = minOf(PACE_CHUNK, bytes.size - offset)
                due += length * 1_000_000_000L / rate
                sleepUntil(due)
                output.write(bytes, offset, length)
                offset += length
            }
        }

        private fun sleepUntil(at: Long) {
            while (open) {
                val left = at - System.nanoTime()
                if (left <= 0) return
                TimeUnit.NANOSECONDS.sleep(minOf(left, TimeUnit.MILLISECONDS.toNanos(POLL_MS)))
            }
        }

        private fun readFrame(input: DataInputStream): ByteArray {
            val size = input.readInt()
            if (size < 0 || size > MAX_FRAME) throw IOException("frame size $size out of range")
            val frame = ByteArray(4 + size)
            ByteBuffer.wrap(frame).putInt(size)
            input.readFully(frame, 4, size)
            return frame
        }
    }

    private companion object {
        val UNTOUCHED = NetState(0, 0, 0)
        val FETCHER = Regex("^broker-(\\d+)-fetcher-\\d+$")

        /** A node's channels to the active controller (heartbeats, registrations, ISR changes, forwarding) use its bare node id. */
        val TO_CONTROLLER = Regex("^(\\d+)$")

        /** The node a connection to a [listener] socket comes from, by its [clientId]; null when no link fault can act on it. */
        fun sourceOf(
            listener: Listener,
            clientId: String?,
        ): Int? {
            val id = clientId ?: return null
            val match =
                when (listener) {
                    Listener.BROKER -> FETCHER.matchEntire(id)
                    Listener.CONTROLLER -> TO_CONTROLLER.matchEntire(id)
                    Listener.CLIENT -> null
                }
            return match?.groupValues?.get(1)?.toIntOrNull()
        }

        val MAX_KEY = ApiKeys.entries.maxOf { it.id.toInt() }
        const val CONNECT_TIMEOUT_MS = 5_000
        const val POLL_MS = 100L
        const val JOIN_MS = 2_000L
        const val ACCEPT_RETRY_MS = 10L
        const val BUFFER = 64 * 1024
        const val PACE_CHUNK = 8 * 1024
        const val MAX_FRAME = 200 * 1024 * 1024
    }
}
