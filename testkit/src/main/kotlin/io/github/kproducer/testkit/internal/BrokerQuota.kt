package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.ClientQuota
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.common.quota.ClientQuotaAlteration
import org.apache.kafka.common.quota.ClientQuotaEntity
import org.apache.kafka.common.quota.ClientQuotaFilter
import org.apache.kafka.common.quota.ClientQuotaFilterComponent
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.time.Duration.Companion.milliseconds

/** A `producer_byte_rate` quota for one client id, set through the controller and removed on [close]. */
internal class BrokerQuota(
    override val clientId: String,
    override val producerByteRate: Long,
    private val admin: () -> Admin,
    private val deadline: () -> Deadline,
    private val awaitMetadata: (Deadline, String) -> Unit,
) : ClientQuota {
    private val closed = AtomicBoolean()
    private val entity = ClientQuotaEntity(mapOf(ClientQuotaEntity.CLIENT_ID to clientId))

    init {
        require(producerByteRate > 0) { "producerByteRate must be positive, was $producerByteRate; close the quota to lift it" }
        set(producerByteRate.toDouble(), "quota($clientId, $producerByteRate)")
    }

    override fun close() {
        if (closed.compareAndSet(false, true)) set(null, "closing the quota of $clientId")
    }

    override fun toString(): String = "ClientQuota(clientId=$clientId, producerByteRate=$producerByteRate, closed=${closed.get()})"

    /** Sets (or, with null, removes) the rate and waits until the cluster reports it and every broker has the metadata. */
    private fun set(
        rate: Double?,
        call: String,
    ) {
        val deadline = deadline()
        admin().use { admin ->
            deadline.await(admin.alterClientQuotas(listOf(ClientQuotaAlteration(entity, listOf(ClientQuotaAlteration.Op(KEY, rate))))).all())
            val filter = ClientQuotaFilter.containsOnly(listOf(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, clientId)))
            while (deadline.await(admin.describeClientQuotas(filter).entities())[entity]?.get(KEY) != rate) {
                check(!deadline.hasPassed) { "$call: the cluster did not report the quota within ${deadline.timeout}" }
                deadline.pause(10.milliseconds)
            }
        }
        awaitMetadata(deadline, call)
    }

    private companion object {
        const val KEY = "producer_byte_rate"
    }
}
