package io.github.kproducer.testkit

/**
 * Marks test kit interfaces that you call but do not implement, such as [MockKafkaProducer]: the
 * test kit's own implementation is the only one it supports, and it may add members to them in a
 * minor release, which would break a class of yours that implements them.
 *
 * Implementing such an interface in Kotlin needs `@OptIn(InternalForInheritanceTestKitApi::class)`;
 * calling it does not. (Java does not check opt-in markers.)
 */
@MustBeDocumented
@Retention(AnnotationRetention.BINARY)
@RequiresOptIn(
    level = RequiresOptIn.Level.ERROR,
    message =
        "This interface is implemented by the test kit only, and it may gain members in any release. " +
            "Call it; do not implement it (or opt in and accept that your implementation can break).",
)
public annotation class InternalForInheritanceTestKitApi
