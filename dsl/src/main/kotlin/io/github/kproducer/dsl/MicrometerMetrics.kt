@file:JvmName("MicrometerMetrics")

package io.github.kproducer.dsl

import io.micrometer.core.instrument.FunctionCounter
import io.micrometer.core.instrument.Gauge
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.Tag
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics

/**
 * Publishes this producer's metrics to a Micrometer [registry]: every Kafka client metric through
 * Micrometer's own `KafkaClientMetrics` (`kafka.producer.*`), plus kproducer's counters
 * `kproducer.records.acknowledged`, `kproducer.records.failed` and the gauge
 * `kproducer.records.in.flight`, all with [tags].
 *
 * Needs `io.micrometer:micrometer-core` on the class path (an optional dependency of the DSL).
 * Returns a handle whose `close()` removes the meters again; closing the producer does not.
 */
@JvmOverloads
public fun KProducer<*, *>.bindMetrics(
    registry: MeterRegistry,
    tags: Iterable<Tag> = emptyList(),
): AutoCloseable {
    val client = KafkaClientMetrics(producer, tags)
    client.bindTo(registry)
    val meters =
        listOf(
            FunctionCounter
                .builder("kproducer.records.acknowledged", this) { it.metrics().acknowledged.toDouble() }
                .description("Records acknowledged by the broker")
                .tags(tags)
                .register(registry),
            FunctionCounter
                .builder("kproducer.records.failed", this) { it.metrics().failed.toDouble() }
                .description("Records that failed")
                .tags(tags)
                .register(registry),
            Gauge
                .builder("kproducer.records.in.flight", this) { it.metrics().inFlight.toDouble() }
                .description("Records handed to Kafka and not completed yet")
                .tags(tags)
                .register(registry),
        )
    return AutoCloseable {
        meters.forEach { registry.remove(it) }
        client.close()
    }
}
