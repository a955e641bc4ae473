package io.github.kproducer.dsl

/**
 * Marks an interface of kproducer that is meant to be called, not implemented, outside kproducer:
 * [KProducer] and [KTransaction]. Their implementations are kproducer's own, so members may be added
 * to them in any release; a class of yours that implements one (a hand-written fake, say) needs
 * `@OptIn(InternalForInheritanceKProducerApi::class)` and may stop compiling when a member is added.
 * To test code that sends, wrap the test kit's `MockKafkaProducer` with `asKProducer()` instead.
 *
 * Calling the interfaces needs no opt-in; only subclassing does (Kotlin's `@SubclassOptInRequired`).
 */
@RequiresOptIn(
    message =
        "KProducer and KTransaction are implemented by kproducer only; members may be added in any release. " +
            "Wrap a mock producer with asKProducer() instead of implementing them.",
    level = RequiresOptIn.Level.ERROR,
)
@MustBeDocumented
@Retention(AnnotationRetention.BINARY)
@Target(AnnotationTarget.CLASS)
public annotation class InternalForInheritanceKProducerApi
