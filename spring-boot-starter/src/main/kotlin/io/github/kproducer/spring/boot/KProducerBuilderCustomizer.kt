package io.github.kproducer.spring.boot

import io.github.kproducer.dsl.KProducerBuilder

/**
 * Changes the builder of every producer the starter creates, after `spring.kafka.*`, `kproducer.*` and
 * the application's `SendListener`, `SendErrorHandler` and `RecordPartitioner` beans were applied and
 * before `build()`. Declare it as a bean; several run in their `@Order`.
 *
 * Called on the thread that creates the producer bean, once per producer.
 */
public fun interface KProducerBuilderCustomizer {
    /** Changes [builder] in place; [name] is the producer's bean name. */
    public fun customize(
        name: String,
        builder: KProducerBuilder<*, *>,
    )
}
