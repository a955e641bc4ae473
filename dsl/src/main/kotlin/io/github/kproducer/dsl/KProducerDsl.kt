package io.github.kproducer.dsl

/**
 * Marks the DSL's builders (producer configuration, security blocks, record builders), so that a
 * nested block cannot silently set a property of an outer one.
 */
@DslMarker
@Target(AnnotationTarget.CLASS, AnnotationTarget.TYPE)
public annotation class KProducerDsl
