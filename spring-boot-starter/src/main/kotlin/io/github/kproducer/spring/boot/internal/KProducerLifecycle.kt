package io.github.kproducer.spring.boot.internal

import io.github.kproducer.spring.boot.KProducerFactory
import org.slf4j.LoggerFactory
import org.springframework.context.SmartLifecycle
import java.time.Duration
import java.util.concurrent.CompletableFuture

/**
 * Closes the producers [factory] made when the application context stops, in one phase after the web
 * server's (so that requests still running can send), all at once and each within its close timeout,
 * which the factory capped at Boot's shutdown-phase timeout. Records still in flight are delivered or
 * failed by then (the DSL's close contract); nothing waits beyond the phase.
 *
 * Stops asynchronously: Spring's callback runs on a thread of the common pool once every producer is closed.
 */
internal class KProducerLifecycle(
    private val factory: KProducerFactory,
) : SmartLifecycle {
    @Volatile private var running = false

    override fun start() {
        running = true
    }

    override fun stop() {
        closeAll().join()
    }

    override fun stop(callback: Runnable) {
        closeAll().whenComplete { _, _ -> callback.run() }
    }

    private fun closeAll(): CompletableFuture<Void> {
        running = false
        val closing =
            factory.open().map { producer ->
                CompletableFuture.runAsync {
                    try {
                        producer.close()
                    } catch (e: Exception) {
                        log.warn("Closing {} failed: {}", producer, e.toString())
                    }
                }
            }
        return CompletableFuture.allOf(*closing.toTypedArray())
    }

    override fun isRunning(): Boolean = running

    override fun getPhase(): Int = PHASE

    companion object {
        private val log = LoggerFactory.getLogger(KProducerLifecycle::class.java)

        /**
         * Below the web server's stop (`DEFAULT_PHASE - 2048`) and graceful shutdown (`DEFAULT_PHASE - 1024`):
         * Spring stops the higher phases first, so requests finish before their producer closes.
         */
        const val PHASE: Int = SmartLifecycle.DEFAULT_PHASE - 4096

        /** Boot's own default of `spring.lifecycle.timeout-per-shutdown-phase`. */
        val DEFAULT_SHUTDOWN_PHASE: Duration = Duration.ofSeconds(30)
    }
}
