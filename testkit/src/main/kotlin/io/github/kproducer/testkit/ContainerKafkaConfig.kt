package io.github.kproducer.testkit

/**
 * The configuration block of one `install(ContainerKafkaExtension()) { ... }`: the image to start.
 *
 * Not thread-safe: Kotest configures it on the installing thread.
 */
@TestKitDsl
public class ContainerKafkaConfig internal constructor(
    /** The Docker image, the extension's image (`apache/kafka:<version>` by default) unless set here. */
    public var image: String,
)
