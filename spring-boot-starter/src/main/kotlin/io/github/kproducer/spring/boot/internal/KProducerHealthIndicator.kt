package io.github.kproducer.spring.boot.internal

import io.github.kproducer.dsl.KProducer
import org.springframework.beans.factory.ListableBeanFactory
import org.springframework.boot.health.contributor.Health
import org.springframework.boot.health.contributor.HealthIndicator
import java.util.concurrent.ConcurrentHashMap

/**
 * The health of every `KProducer` bean, by bean name: DOWN when one is closed, or when records failed
 * since the previous check and none was acknowledged in between (the brokers are unreachable, or reject
 * every record); UP otherwise. The details give each producer's acknowledged, failed and in-flight counts.
 *
 * Reads counters only: it sends nothing and never blocks.
 */
internal class KProducerHealthIndicator(
    private val beans: ListableBeanFactory,
) : HealthIndicator {
    private val previous = ConcurrentHashMap<String, Pair<Long, Long>>()

    override fun health(): Health {
        var down = false
        val details = LinkedHashMap<String, Any>()
        for ((name, producer) in beans.getBeansOfType(KProducer::class.java)) {
            val (state, healthy) = state(name, producer)
            details[name] = state
            down = down || !healthy
        }
        return (if (down) Health.down() else Health.up()).withDetails(details).build()
    }

    private fun state(
        name: String,
        producer: KProducer<*, *>,
    ): Pair<Map<String, Any>, Boolean> {
        if (producer.isClosed) return mapOf("status" to "closed") to false
        val metrics = producer.metrics()
        val (acknowledged, failed) = previous.put(name, metrics.acknowledged to metrics.failed) ?: (0L to 0L)
        val failing = metrics.failed > failed && metrics.acknowledged == acknowledged
        val state =
            mapOf(
                "status" to if (failing) "failing: records failed since the last check and none was acknowledged" else "sending",
                "acknowledged" to metrics.acknowledged,
                "failed" to metrics.failed,
                "inFlight" to metrics.inFlight,
            )
        return state to !failing
    }
}
