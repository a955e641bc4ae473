package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.ProducerBehaviour

/**
 * How a [KProducer] behaves around the Kafka client (see [AbstractKProducerOptions] for each option).
 * These options apply both to producers built by [kafkaProducer] and to existing producers wrapped
 * with [asKProducer] (or `KProducer.wrap(producer, options -> ...)` from Java).
 *
 * Not thread-safe: configure it on one thread.
 */
@KProducerDsl
public open class KProducerOptions<K, V> internal constructor() : AbstractKProducerOptions<K, V, KProducerOptions<K, V>>() {
    @get:JvmSynthetic
    @set:JvmSynthetic
    override var behaviour: ProducerBehaviour<K, V> = ProducerBehaviour()
}
