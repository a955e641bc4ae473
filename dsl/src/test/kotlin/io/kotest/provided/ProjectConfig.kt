package io.kotest.provided

import io.kotest.core.config.AbstractProjectConfig
import io.kotest.engine.concurrency.SpecExecutionMode
import io.kotest.engine.coroutines.ThreadPerSpecCoroutineContextFactory
import kotlin.time.Duration.Companion.minutes

class ProjectConfig : AbstractProjectConfig() {
    // Two specs at a time, each on its own thread: broker specs block while they wait for acks.
    override val specExecutionMode = SpecExecutionMode.LimitedConcurrency(2)
    override val coroutineDispatcherFactory = ThreadPerSpecCoroutineContextFactory
    override val timeout = 3.minutes
}
