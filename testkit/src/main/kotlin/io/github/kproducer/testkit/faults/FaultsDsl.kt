package io.github.kproducer.testkit.faults

/** Marks the blocks of [FaultsConfig], so that an inner block cannot call an outer block's methods by accident. */
@DslMarker
@Target(AnnotationTarget.CLASS, AnnotationTarget.TYPE)
public annotation class FaultsDsl
