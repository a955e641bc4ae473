package io.kotest.provided

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.core.config.AbstractProjectConfig
import io.kotest.core.extensions.Extension
import io.kotest.engine.concurrency.SpecExecutionMode
import io.kotest.engine.coroutines.ThreadPerSpecCoroutineContextFactory
import kotlin.time.Duration.Companion.minutes

/** One broker for every single-broker sample spec: each sample writes its own topics. */
val samplesKafka = EmbeddedKafkaExtension(EmbeddedKafkaExtension.Lifecycle.PROJECT)

class ProjectConfig : AbstractProjectConfig() {
    override val specExecutionMode = SpecExecutionMode.LimitedConcurrency(2)
    override val coroutineDispatcherFactory = ThreadPerSpecCoroutineContextFactory
    override val timeout = 5.minutes
    override val extensions: List<Extension> = listOf(samplesKafka)
}
