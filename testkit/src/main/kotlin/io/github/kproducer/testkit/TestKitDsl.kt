package io.github.kproducer.testkit

/**
 * Marks the test kit's configuration blocks (the `...Config` classes and [RecordTemplate]), so
 * that a nested block cannot silently set a property of an outer one.
 */
@DslMarker
@Target(AnnotationTarget.CLASS, AnnotationTarget.TYPE)
public annotation class TestKitDsl
