package io.github.kproducer.spring.boot.internal

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.bindMetrics
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.Tag
import org.springframework.beans.factory.DisposableBean
import org.springframework.beans.factory.ListableBeanFactory
import org.springframework.beans.factory.ObjectProvider
import org.springframework.beans.factory.SmartInitializingSingleton

/**
 * Binds every `KProducer` bean of the context to the application's `MeterRegistry` once all singletons
 * exist: Kafka's client metrics (`kafka.producer.*`) and kproducer's counters (`kproducer.records.*`), each
 * tagged `spring.id` with the producer's bean name (the tag spring-kafka gives its templates), so two
 * producers stay apart. The meters are removed again when the context closes.
 */
internal class KProducerMeters(
    private val registry: ObjectProvider<MeterRegistry>,
    private val beans: ListableBeanFactory,
) : SmartInitializingSingleton,
    DisposableBean {
    private val bindings = ArrayList<AutoCloseable>()

    override fun afterSingletonsInstantiated() {
        val registry = registry.ifAvailable ?: return
        for ((name, producer) in beans.getBeansOfType(KProducer::class.java)) {
            bindings += producer.bindMetrics(registry, listOf(Tag.of("spring.id", name)))
        }
    }

    override fun destroy() {
        bindings.forEach { it.close() }
        bindings.clear()
    }
}
