package io.github.kproducer.testkit

import io.kotest.core.extensions.MountableExtension
import io.kotest.core.listeners.AfterSpecListener
import io.kotest.core.spec.Spec
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Kotest extension that gives a spec a [ContainerKafka], started when the spec installs it and
 * removed after the spec. Interchangeable with [EmbeddedKafkaExtension] through [KafkaCluster]:
 * ```
 * val kafka: KafkaCluster = install(ContainerKafkaExtension())   // or install(EmbeddedKafkaExtension())
 * ```
 * Needs a Docker engine; see [ContainerKafka.isDockerAvailable]. Thread-safe.
 */
public class ContainerKafkaExtension(
    private val image: String = ContainerKafka.DEFAULT_IMAGE,
) : MountableExtension<ContainerKafkaConfig, ContainerKafka>,
    AfterSpecListener {
    private val started = CopyOnWriteArrayList<ContainerKafka>()

    /**
     * Starts the container; called by Kotest's `install`. Blocks while it starts.
     *
     * @throws IllegalStateException when Docker or Testcontainers is missing.
     */
    override fun mount(configure: ContainerKafkaConfig.() -> Unit): ContainerKafka {
        val config = ContainerKafkaConfig(image).apply(configure)
        return ContainerKafka.start(config.image).also { started += it }
    }

    /** Removes the containers this extension started. */
    override suspend fun afterSpec(spec: Spec) {
        ArrayList(started).forEach {
            it.close()
            started -= it
        }
    }
}
