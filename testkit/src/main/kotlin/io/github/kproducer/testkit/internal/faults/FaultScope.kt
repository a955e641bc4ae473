package io.github.kproducer.testkit.internal.faults

import io.github.kproducer.testkit.faults.Faults
import org.apache.kafka.common.protocol.ApiKeys
import java.util.concurrent.atomic.AtomicBoolean

/** One open `faults { }` scope: its rules are installed in [engine] until [close]. */
internal class FaultScope(
    private val engine: ProxyEngine,
    private val set: FaultSet,
    private val onClose: (FaultScope) -> Unit,
) : Faults {
    private val closed = AtomicBoolean()
    private val brokers = engine.brokerIds()
    private val start: Map<Int, LongArray> = brokers.associateWith { id -> LongArray(ApiKeys.entries.size) { engine.requests(ApiKeys.entries[it], id) } }

    init {
        engine.install(set)
    }

    override fun requests(apiKey: ApiKeys): Long = brokers.sumOf { requests(apiKey, it) }

    override fun requests(
        apiKey: ApiKeys,
        brokerId: Int,
    ): Long {
        val before = requireNotNull(start[brokerId]) { "There is no broker $brokerId; the brokers are ${brokers.sorted()}" }
        return engine.requests(apiKey, brokerId) - before[apiKey.ordinal]
    }

    override fun requestVersions(apiKey: ApiKeys): Set<Short> = set.versionsOf(apiKey)

    override fun applied(): Int = set.rules.sumOf { it.applied.get() }

    override fun applied(apiKey: ApiKeys): Int = set.rules.filter { it.apiKey == apiKey }.sumOf { it.applied.get() }

    override fun cutConnections() {
        check(!closed.get()) { "These faults are closed; cut connections inside their scope" }
        engine.cut(null)
    }

    override fun cutConnections(brokerId: Int) {
        check(!closed.get()) { "These faults are closed; cut connections inside their scope" }
        require(brokerId in brokers) { "There is no broker $brokerId; the brokers are ${brokers.sorted()}" }
        engine.cut(brokerId)
    }

    override fun close() {
        if (closed.compareAndSet(false, true)) {
            engine.remove(set)
            onClose(this)
        }
    }

    override fun toString(): String = "Faults(requestFaults=${set.rules.size}, networkFaults=${set.network.size}, applied=${applied()}, open=${!closed.get()})"
}
