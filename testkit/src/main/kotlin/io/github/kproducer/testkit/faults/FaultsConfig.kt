package io.github.kproducer.testkit.faults

import io.github.kproducer.testkit.internal.faults.Action
import io.github.kproducer.testkit.internal.faults.FaultSet
import io.github.kproducer.testkit.internal.faults.LinkRule
import io.github.kproducer.testkit.internal.faults.Listener
import io.github.kproducer.testkit.internal.faults.NetworkRule
import io.github.kproducer.testkit.internal.faults.Rule
import io.github.kproducer.testkit.internal.faults.VersionRange
import org.apache.kafka.common.protocol.ApiKeys
import org.apache.kafka.common.protocol.Errors
import java.util.function.Consumer
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * The faults of one [io.github.kproducer.testkit.EmbeddedKafka.faults] scope: network faults
 * (latency, a bandwidth cap, cut or refused connections) and request faults (an error answer, a
 * dropped or delayed answer) for chosen Kafka APIs, each for one broker or (the default, `broker =
 * null`) for all.
 *
 * ```kotlin
 * kafka.faults {
 *     produce(topic = "payments") { respond(Errors.NOT_ENOUGH_REPLICAS, times = 3) }
 *     latency(50.milliseconds)
 * }.use { /* the code under test */ }
 * ```
 *
 * A request selector with a `topic` (and `partition`) matches a request that names that topic (and
 * partition) among others; `respond` then answers the whole request with the error, as a broker would
 * for a request-level failure, while `respondForPartition` fails only that partition and lets the
 * others succeed. `throttle` sets the answers' throttle time, and [apiVersions] narrows the versions
 * the broker advertises. Several scopes may be open at once: request faults are tried scope by scope
 * in the order they opened, latencies take the largest and bandwidth caps the smallest.
 *
 * Faults between brokers act on the nodes' own connections, not on clients': [cutReplication] and
 * [slowReplication] on one follower's fetches from one leader, [isolateFromController] on one
 * broker's channels to the active controller.
 *
 * Mutable, not thread-safe: configure it inside its block; the scope is built and checked when the
 * block returns.
 */
@FaultsDsl
public class FaultsConfig internal constructor() {
    private class Selector(
        val apiKey: ApiKeys,
        val topic: String?,
        val partition: Int?,
        val broker: Int?,
        val config: RequestFaultConfig,
    )

    private val selectors = ArrayList<Selector>()
    private val versionSelectors = ArrayList<Pair<Int?, ApiVersionsFaultConfig>>()
    private val network = ArrayList<NetworkFault>()
    private val links = ArrayList<LinkFault>()

    /** A fault between two nodes: what the builder method was, the nodes it names, its checks and its proxy rule. */
    private class LinkFault(
        val name: String,
        val nodes: List<Int>,
        val problems: List<String>,
        val rule: LinkRule,
    )

    /** A fault of the connections rather than of requests: each kind knows its checks and its proxy rule. */
    private sealed class NetworkFault(
        val broker: Int?,
    ) {
        /** How a problem names it: the builder method that made it. */
        abstract val name: String

        /** What is wrong with its values, each problem named. */
        abstract fun problems(): List<String>

        /** The proxy's rule for it. */
        abstract fun rule(): NetworkRule

        protected fun nonNegative(
            setting: String,
            value: Duration,
        ): List<String> = if (value.isNegative() || value.isInfinite()) listOf("$name: $setting must be zero or more and finite, was $value") else emptyList()

        class Latency(
            broker: Int?,
            val toBroker: Duration,
            val toClient: Duration,
        ) : NetworkFault(broker) {
            override val name get() = "latency"

            override fun problems() = nonNegative("toBroker", toBroker) + nonNegative("toClient", toClient)

            override fun rule() = NetworkRule(broker, latencyUpNanos = toBroker.inWholeNanoseconds, latencyDownNanos = toClient.inWholeNanoseconds)
        }

        class Bandwidth(
            broker: Int?,
            val bytesPerSecond: Long,
        ) : NetworkFault(broker) {
            override val name get() = "bandwidth"

            override fun problems() = if (bytesPerSecond <= 0) listOf("bandwidth: bytesPerSecond must be positive, was $bytesPerSecond") else emptyList()

            override fun rule() = NetworkRule(broker, bytesPerSecond = bytesPerSecond)
        }

        class Cut(
            broker: Int?,
        ) : NetworkFault(broker) {
            override val name get() = "cutConnections"

            override fun problems() = emptyList<String>()

            override fun rule() = NetworkRule(broker, cut = true)
        }

        class Refuse(
            broker: Int?,
            val during: Duration,
        ) : NetworkFault(broker) {
            override val name get() = "refuseConnections"

            override fun problems() =
                nonNegative("during", during) + if (during.isPositive()) emptyList() else listOf("refuseConnections: during must be positive, was $during")

            override fun rule() = NetworkRule(broker, refuseNanos = during.inWholeNanoseconds)
        }
    }

    /**
     * Adds faults for requests of [apiKey] to broker [broker] (null: any broker), naming [topic] and
     * [partition] when given (topics can be matched in `Produce`, `Metadata`, `ListOffsets`,
     * `AddPartitionsToTxn` and `TxnOffsetCommit` requests, partitions in all of those but `Metadata`,
     * whose requests name none: there a partition only says which one `respondForPartition` fails in
     * the answer). Returns the selector's [RequestFaultConfig], to add faults to with `respond`,
     * `respondForPartition`, `drop`, `delay` or `throttle`.
     */
    @JvmOverloads
    public fun requests(
        apiKey: ApiKeys,
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
    ): RequestFaultConfig = RequestFaultConfig().also { selectors += Selector(apiKey, topic, partition, broker, it) }

    /** Adds faults for requests of [apiKey] (see the other form), configured by [block]. */
    @JvmSynthetic
    public fun requests(
        apiKey: ApiKeys,
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ) {
        requests(apiKey, topic, partition, broker).block()
    }

    /** Adds faults for `Produce` requests, optionally only those naming [topic] (and [partition]). */
    @JvmSynthetic
    public fun produce(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.PRODUCE, topic, partition, broker, block)

    /**
     * Adds faults for `Metadata` requests, optionally only those naming [topic] (a request for all topics
     * names every topic). To fail one partition in the answer, select it with
     * `requests(ApiKeys.METADATA, topic = ..., partition = ...) { respondForPartition(...) }`.
     */
    @JvmSynthetic
    public fun metadata(
        topic: String? = null,
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.METADATA, topic, null, broker, block)

    /**
     * Adds faults for `ListOffsets` requests (a consumer's `endOffsets` and offset resets, the admin
     * client's `listOffsets`), optionally only those naming [topic] (and [partition]).
     */
    @JvmSynthetic
    public fun listOffsets(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.LIST_OFFSETS, topic, partition, broker, block)

    /** Adds faults for `InitProducerId` requests (idempotent and transactional producers' first call). */
    @JvmSynthetic
    public fun initProducerId(
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.INIT_PRODUCER_ID, null, null, broker, block)

    /** Adds faults for `AddPartitionsToTxn` requests, optionally only those naming [topic] (and [partition]). */
    @JvmSynthetic
    public fun addPartitionsToTxn(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.ADD_PARTITIONS_TO_TXN, topic, partition, broker, block)

    /** Adds faults for `AddOffsetsToTxn` requests (`sendOffsetsToTransaction`'s first step). */
    @JvmSynthetic
    public fun addOffsetsToTxn(
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.ADD_OFFSETS_TO_TXN, null, null, broker, block)

    /** Adds faults for `TxnOffsetCommit` requests, optionally only those naming [topic] (and [partition]). */
    @JvmSynthetic
    public fun txnOffsetCommit(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.TXN_OFFSET_COMMIT, topic, partition, broker, block)

    /** Adds faults for `EndTxn` requests (commit and abort). */
    @JvmSynthetic
    public fun endTxn(
        broker: Int? = null,
        block: RequestFaultConfig.() -> Unit,
    ): Unit = requests(ApiKeys.END_TXN, null, null, broker, block)

    /**
     * Java form of `produce(topic, partition, broker) { }`: adds faults for `Produce` requests,
     * optionally only those naming [topic] (and [partition]), to [broker] or all, and returns the
     * selector to add them to: `f.produce("payments").respond(Errors.NOT_ENOUGH_REPLICAS, 3)`.
     */
    @JvmOverloads
    public fun produce(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
    ): RequestFaultConfig = requests(ApiKeys.PRODUCE, topic, partition, broker)

    /** Java form of `metadata(topic, broker) { }`: faults for `Metadata` requests naming [topic]; see [produce]. */
    @JvmOverloads
    public fun metadata(
        topic: String? = null,
        broker: Int? = null,
    ): RequestFaultConfig = requests(ApiKeys.METADATA, topic, null, broker)

    /** Java form of `listOffsets(topic, partition, broker) { }`: faults for `ListOffsets` requests; see [produce]. */
    @JvmOverloads
    public fun listOffsets(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
    ): RequestFaultConfig = requests(ApiKeys.LIST_OFFSETS, topic, partition, broker)

    /** Java form of `initProducerId(broker) { }`: faults for `InitProducerId` requests; see [produce]. */
    @JvmOverloads
    public fun initProducerId(broker: Int? = null): RequestFaultConfig = requests(ApiKeys.INIT_PRODUCER_ID, null, null, broker)

    /** Java form of `addPartitionsToTxn(topic, partition, broker) { }`; see [produce]. */
    @JvmOverloads
    public fun addPartitionsToTxn(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
    ): RequestFaultConfig = requests(ApiKeys.ADD_PARTITIONS_TO_TXN, topic, partition, broker)

    /** Java form of `addOffsetsToTxn(broker) { }`; see [produce]. */
    @JvmOverloads
    public fun addOffsetsToTxn(broker: Int? = null): RequestFaultConfig = requests(ApiKeys.ADD_OFFSETS_TO_TXN, null, null, broker)

    /** Java form of `txnOffsetCommit(topic, partition, broker) { }`; see [produce]. */
    @JvmOverloads
    public fun txnOffsetCommit(
        topic: String? = null,
        partition: Int? = null,
        broker: Int? = null,
    ): RequestFaultConfig = requests(ApiKeys.TXN_OFFSET_COMMIT, topic, partition, broker)

    /** Java form of `endTxn(broker) { }`: faults for `EndTxn` requests (commit and abort); see [produce]. */
    @JvmOverloads
    public fun endTxn(broker: Int? = null): RequestFaultConfig = requests(ApiKeys.END_TXN, null, null, broker)

    /**
     * Narrows the API versions that [broker] (null: every broker) advertises in its `ApiVersions`
     * answers, so that clients connecting while the scope is open negotiate as against an older broker.
     * Returns the [ApiVersionsFaultConfig] to give the ranges to:
     * `f.apiVersions().maxVersion(ApiKeys.PRODUCE, 8)` (Java).
     */
    @JvmOverloads
    public fun apiVersions(broker: Int? = null): ApiVersionsFaultConfig = ApiVersionsFaultConfig().also { versionSelectors += broker to it }

    /** Narrows the API versions [broker] (null: every broker) advertises, as [block] says: `apiVersions { maxVersion(ApiKeys.PRODUCE, 8) }`. */
    @JvmSynthetic
    public fun apiVersions(
        broker: Int? = null,
        block: ApiVersionsFaultConfig.() -> Unit,
    ) {
        apiVersions(broker).block()
    }

    /** Delays every frame by [each] in each direction (so a round trip gains twice [each]), to [broker] or all. */
    @JvmSynthetic
    public fun latency(
        each: Duration,
        broker: Int? = null,
    ) {
        network += NetworkFault.Latency(broker, each, each)
    }

    /** Delays frames to the broker by [toBroker] and frames to the client by [toClient], to [broker] or all. */
    @JvmSynthetic
    public fun latency(
        toBroker: Duration,
        toClient: Duration,
        broker: Int? = null,
    ) {
        network += NetworkFault.Latency(broker, toBroker, toClient)
    }

    /** Java form of `latency(toBroker, toClient, broker)`: a delay for each direction. */
    @JvmOverloads
    public fun latency(
        toBroker: java.time.Duration,
        toClient: java.time.Duration,
        broker: Int? = null,
    ): Unit = latency(toBroker.toKotlinDuration(), toClient.toKotlinDuration(), broker)

    /** Java form of `latency(each, broker)`. */
    @JvmOverloads
    public fun latency(
        each: java.time.Duration,
        broker: Int? = null,
    ): Unit = latency(each.toKotlinDuration(), broker)

    /** Caps each connection's throughput to [bytesPerSecond] in each direction, to [broker] or all. */
    @JvmOverloads
    public fun bandwidth(
        bytesPerSecond: Long,
        broker: Int? = null,
    ) {
        network += NetworkFault.Bandwidth(broker, bytesPerSecond)
    }

    /** Closes every open client connection, to [broker] or all, when the scope opens (see [Faults.cutConnections] for later). */
    @JvmOverloads
    public fun cutConnections(broker: Int? = null) {
        network += NetworkFault.Cut(broker)
    }

    /**
     * Refuses new client connections, to [broker] or all, for [during] from the moment the scope opens
     * (each is accepted and closed at once: a blackholed address); open connections stay.
     */
    @JvmSynthetic
    public fun refuseConnections(
        during: Duration,
        broker: Int? = null,
    ) {
        network += NetworkFault.Refuse(broker, during)
    }

    /** Java form of `refuseConnections(during, broker)`. */
    @JvmOverloads
    public fun refuseConnections(
        during: java.time.Duration,
        broker: Int? = null,
    ): Unit = refuseConnections(during.toKotlinDuration(), broker)

    /**
     * Cuts replication from broker [leader] to broker [follower] while the scope is open: the
     * follower's fetch connections to the leader close and every new one closes after its first
     * request. A follower lags only behind records it lacks: once a partition [leader] leads takes a
     * record (an `acks=1` send, say) that the follower cannot fetch, the leader drops the follower from
     * its ISR after the brokers' `replica.lag.time.max.ms` (30 s unless set lower in
     * `brokerProperties`); `acks=all` sends then fail with `NOT_ENOUGH_REPLICAS` once the ISR is
     * smaller than `min.insync.replicas`. Clients, the controller and other followers are untouched. Closing
     * the scope heals it: the follower fetches again, catches up and rejoins the ISR.
     */
    public fun cutReplication(
        leader: Int,
        follower: Int,
    ) {
        links +=
            LinkFault(
                "cutReplication(leader = $leader, follower = $follower)",
                listOf(leader, follower),
                distinct(leader, follower),
                LinkRule(Listener.BROKER, leader, follower, cut = true),
            )
    }

    /**
     * Slows replication from broker [leader] to broker [follower] while the scope is open: every frame
     * of the follower's fetch connections to the leader is delayed by [latency] in each direction, and
     * each direction is capped at [bytesPerSecond] when positive. Give at least one of them. An
     * `acks=all` send to a partition [leader] leads, with [follower] in its ISR, then waits at least
     * [latency] for the follower to fetch it.
     */
    @JvmSynthetic
    public fun slowReplication(
        leader: Int,
        follower: Int,
        latency: Duration = Duration.ZERO,
        bytesPerSecond: Long = 0,
    ) {
        val name = "slowReplication(leader = $leader, follower = $follower)"
        val problems = distinct(leader, follower).toMutableList()
        if (latency.isNegative() || latency.isInfinite()) problems += "$name: latency must be zero or more and finite, was $latency"
        if (bytesPerSecond < 0) problems += "$name: bytesPerSecond must be zero (no cap) or positive, was $bytesPerSecond"
        if (latency == Duration.ZERO && bytesPerSecond == 0L) problems += "$name: give a latency or bytesPerSecond (or both)"
        val nanos = if (latency.isFinite()) latency.inWholeNanoseconds else 0
        links +=
            LinkFault(
                name,
                listOf(leader, follower),
                problems,
                LinkRule(Listener.BROKER, leader, follower, latencyNanos = nanos, bytesPerSecond = bytesPerSecond),
            )
    }

    /** Java form of `slowReplication(leader, follower, latency = ...)`: delays each frame of [follower]'s fetches from [leader] by [latency]. */
    public fun slowReplication(
        leader: Int,
        follower: Int,
        latency: java.time.Duration,
    ): Unit = slowReplication(leader, follower, latency.toKotlinDuration(), 0)

    /**
     * Java form of `slowReplication(leader, follower, latency, bytesPerSecond)`: delays each frame of
     * [follower]'s fetches from [leader] by [latency] (may be zero) and caps them at [bytesPerSecond].
     */
    public fun slowReplication(
        leader: Int,
        follower: Int,
        latency: java.time.Duration,
        bytesPerSecond: Long,
    ): Unit = slowReplication(leader, follower, latency.toKotlinDuration(), bytesPerSecond)

    /**
     * Cuts broker [broker] off from the controller while the scope is open: its broker's channels to
     * the active controller (heartbeats, ISR changes, forwarded requests) close, and every new one
     * closes after its first request. Its heartbeats stop, so after the brokers'
     * `broker.session.timeout.ms` (9 s unless set lower in `brokerProperties`) the controller fences
     * it and moves its leaderships to other replicas. The node's own controller keeps its place in the
     * quorum (Raft between the voters is untouched), and clients still reach the broker. Closing the
     * scope heals it: the broker's heartbeats get through again and the controller unfences it.
     */
    public fun isolateFromController(broker: Int) {
        links += LinkFault("isolateFromController(broker = $broker)", listOf(broker), emptyList(), LinkRule(Listener.CONTROLLER, null, broker, cut = true))
    }

    /** The problem of a link from a broker to itself. */
    private fun distinct(
        leader: Int,
        follower: Int,
    ): List<String> =
        if (leader == follower) {
            listOf("replication from broker $leader to itself: leader and follower must be two different brokers")
        } else {
            emptyList()
        }

    /** Checks every fault against [brokers] and builds the scope's rules; every problem is named at once. */
    internal fun build(brokers: Set<Int>): FaultSet {
        val problems = ArrayList<String>()

        fun checkBroker(
            broker: Int?,
            what: String,
        ) {
            if (broker != null && broker !in brokers) problems += "$what: there is no broker $broker; the brokers are ${brokers.sorted()}"
        }
        val rules = ArrayList<Rule>()
        for (selector in selectors) {
            val what = "${selector.apiKey.name}${selector.topic?.let { "(topic = $it)" } ?: ""}"
            checkBroker(selector.broker, what)
            if (selector.partition != null && selector.topic == null) problems += "$what: a partition needs its topic; add topic = ..."
            if (selector.partition != null && selector.partition < 0) problems += "$what: partition must not be negative, was ${selector.partition}"
            if (selector.topic != null && selector.apiKey !in TOPIC_KEYS) {
                problems += "$what: ${selector.apiKey.name} requests name no topic; topics can be matched in ${TOPIC_KEYS.joinToString { it.name }}"
            }
            if (selector.partition != null &&
                selector.apiKey == ApiKeys.METADATA &&
                selector.config.specs.any { it.action !is Action.RespondForPartition }
            ) {
                problems += "$what: Metadata requests name no partition; drop partition = ..., or fail that partition in the answer with respondForPartition"
            }
            if (selector.config.specs.isEmpty()) problems += "$what: no fault given; call respond, respondForPartition, drop, delay or throttle in its block"
            for (spec in selector.config.specs) {
                if (spec.times < 1) problems += "$what: times must be at least 1, was ${spec.times}"
                if (!spec.during.isPositive()) problems += "$what: during must be positive, was ${spec.during}"
                if (!(spec.fraction > 0.0 && spec.fraction <= 1.0)) problems += "$what: fraction must be in (0, 1], was ${spec.fraction}"
                problems += actionProblems(selector, spec.action, what)
                rules += Rule(selector.apiKey, selector.topic, selector.partition, selector.broker, spec.action, spec.times, spec.during, spec.fraction)
            }
        }
        val ranges = ArrayList<VersionRange>()
        for ((broker, config) in versionSelectors) {
            val what = "apiVersions${broker?.let { "(broker = $it)" } ?: ""}"
            checkBroker(broker, what)
            if (config.ranges.isEmpty()) problems += "$what: no range given; call maxVersion or versions in its block"
            config.ranges
                .groupBy { it.apiKey }
                .filterValues { it.size > 1 }
                .keys
                .forEach { problems += "$what: ${it.name} is given more than one range; give it one" }
            for (range in config.ranges) {
                val rangeProblems = rangeProblems(range, what)
                problems += rangeProblems
                if (rangeProblems.isEmpty()) ranges += VersionRange(broker, range.apiKey, range.min?.toShort(), range.max.toShort())
            }
        }
        val rulesOfNetwork = ArrayList<NetworkRule>()
        for (fault in network) {
            checkBroker(fault.broker, fault.name)
            problems += fault.problems()
            rulesOfNetwork += fault.rule()
        }
        for (link in links) {
            link.nodes.distinct().forEach { checkBroker(it, link.name) }
            problems += link.problems
        }
        require(problems.isEmpty()) { "Invalid faults:\n" + problems.joinToString("\n") { "  - $it" } }
        return FaultSet(rules, rulesOfNetwork, ranges, links.map { it.rule })
    }

    /** What is wrong with [action] on [selector], each problem named with its fix. */
    private fun actionProblems(
        selector: Selector,
        action: Action,
        what: String,
    ): List<String> =
        when (action) {
            is Action.Respond -> {
                if (action.error == Errors.NONE) listOf("$what: respond needs an error; Errors.NONE is a success (drop the fault instead)") else emptyList()
            }

            is Action.RespondForPartition -> {
                partitionProblems(selector, action.error, what)
            }

            is Action.Delay -> {
                if (action.by.isPositive() && action.by.isFinite()) emptyList() else listOf("$what: delay must be positive and finite, was ${action.by}")
            }

            is Action.Throttle -> {
                listOfNotNull(
                    "$what: throttle must be at least 1 ms and at most ${Int.MAX_VALUE} ms, was ${action.by}"
                        .takeUnless { action.by.isFinite() && action.by.inWholeMilliseconds in 1..Int.MAX_VALUE.toLong() },
                    "$what: ${selector.apiKey.name} answers carry no throttle time; throttle another API"
                        .takeUnless { hasThrottleTime(selector.apiKey) },
                )
            }

            Action.Drop -> {
                emptyList()
            }
        }

    /** What is wrong with failing one partition with [error] on [selector]. */
    private fun partitionProblems(
        selector: Selector,
        error: Errors,
        what: String,
    ): List<String> {
        val problems = ArrayList<String>()
        if (selector.apiKey !in PARTITION_KEYS) {
            problems += "$what: respondForPartition fails one partition of Produce, Metadata or ListOffsets answers; " +
                "${selector.apiKey.name} has none (use respond to answer the whole request)"
        } else if (selector.topic == null || selector.partition == null) {
            val example =
                when (selector.apiKey) {
                    ApiKeys.METADATA -> "requests(ApiKeys.METADATA, topic = \"t\", partition = 0)"
                    ApiKeys.LIST_OFFSETS -> "listOffsets(topic = \"t\", partition = 0)"
                    else -> "produce(topic = \"t\", partition = 0)"
                }
            problems += "$what: respondForPartition needs the partition it fails; select its topic and partition, e.g. $example"
        }
        if (error == Errors.NONE) problems += "$what: respondForPartition needs an error; Errors.NONE is a success (drop the fault instead)"
        if (error == Errors.REBOOTSTRAP_REQUIRED) {
            problems += "$what: REBOOTSTRAP_REQUIRED is an error of the whole Metadata answer (KIP-1102); use metadata { respond(Errors.REBOOTSTRAP_REQUIRED) }"
        }
        return problems
    }

    /** What is wrong with one `apiVersions` [range]. */
    private fun rangeProblems(
        range: ApiVersionsFaultConfig.Range,
        what: String,
    ): List<String> {
        val key = range.apiKey
        val name = "$what: ${key.name}"
        val problems = ArrayList<String>()
        if (key !in ApiKeys.brokerApis()) return listOf("$name is not an API of the broker's client listener, so its answers name no version of it")
        if (key == ApiKeys.API_VERSIONS) return listOf("$name cannot be narrowed: clients send their newest ApiVersions request whatever the last answer said")
        val oldest = key.oldestVersion().toInt()
        val newest = key.latestVersion().toInt()
        if (range.max > newest) {
            problems += "$name maxVersion ${range.max} is above the broker's newest version, $newest; a broker cannot advertise versions it lacks"
        }
        if (range.min == null) {
            if (range.max < oldest) {
                problems += "$name maxVersion ${range.max} is below the broker's oldest version, $oldest; " +
                    "to advertise versions below it, give both ends: versions(ApiKeys.$key, minVersion, maxVersion)"
            }
        } else {
            if (range.min < 0) problems += "$name minVersion must be zero or more, was ${range.min}"
            if (range.min > range.max) problems += "$name versions ${range.min}..${range.max} are an empty range; minVersion must be at most maxVersion"
        }
        return problems
    }

    internal companion object {
        val TOPIC_KEYS = setOf(ApiKeys.PRODUCE, ApiKeys.METADATA, ApiKeys.LIST_OFFSETS, ApiKeys.ADD_PARTITIONS_TO_TXN, ApiKeys.TXN_OFFSET_COMMIT)

        /** The APIs whose answers `respondForPartition` can fail one partition of. */
        val PARTITION_KEYS = setOf(ApiKeys.PRODUCE, ApiKeys.METADATA, ApiKeys.LIST_OFFSETS)

        /** Whether the answers of [apiKey] carry a `throttle_time_ms` (in their newest version). */
        fun hasThrottleTime(apiKey: ApiKeys): Boolean =
            apiKey.messageType
                .responseSchemas()
                .lastOrNull()
                ?.get("throttle_time_ms") != null

        fun of(block: Consumer<FaultsConfig>): FaultsConfig = FaultsConfig().also { block.accept(it) }
    }
}
