package io.kotest.provided

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.core.config.AbstractProjectConfig
import io.kotest.core.extensions.Extension
import io.kotest.engine.concurrency.SpecExecutionMode
import io.kotest.engine.coroutines.ThreadPerSpecCoroutineContextFactory
import kotlin.time.Duration.Companion.minutes

/** One broker shared by the specs that install it; see EmbeddedKafkaExtensionSpec. */
val sharedKafka = EmbeddedKafkaExtension(EmbeddedKafkaExtension.Lifecycle.PROJECT) { defaultPartitions = 2 }

class ProjectConfig : AbstractProjectConfig() {
    // Two specs at a time: each brings its own broker, and the parallel-broker specs rely on it.
    override val specExecutionMode = SpecExecutionMode.LimitedConcurrency(2)

    // Broker tests block their thread (producer.get(), reads); a thread per spec keeps the two
    // concurrent specs from starving each other on the two-thread default dispatcher.
    override val coroutineDispatcherFactory = ThreadPerSpecCoroutineContextFactory
    override val timeout = 3.minutes
    override val extensions: List<Extension> = listOf(sharedKafka)
}
