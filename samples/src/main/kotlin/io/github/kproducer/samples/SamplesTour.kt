package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafka
import kotlinx.coroutines.runBlocking
import kotlin.system.exitProcess
import kotlin.time.measureTimedValue

/**
 * The samples tour: runs the study notes' programs one after another against `--bootstrap-servers`,
 * or, without it, against an embedded Kafka broker started for the tour.
 */
public object SamplesTour {
    private const val USAGE = "usage: SamplesTour [--bootstrap-servers host:port[,host:port...]]"

    /** Runs the tour; see [SamplesTour]. */
    @JvmStatic
    public fun main(args: Array<String>) {
        val options = args.flatMap { it.trim().split(Regex("\\s+")) }.filter { it.isNotEmpty() }
        val bootstrapServers =
            when {
                options.isEmpty() -> {
                    null
                }

                options.size == 2 && options[0] == "--bootstrap-servers" -> {
                    options[1]
                }

                else -> {
                    System.err.println(USAGE)
                    exitProcess(2)
                }
            }
        if (bootstrapServers != null) {
            println("Running the samples against $bootstrapServers")
            runAll(bootstrapServers)
            return
        }
        val (kafka, startup) = measureTimedValue { EmbeddedKafka() }
        kafka.use {
            println("Started an embedded Kafka broker at ${it.bootstrapServers} in ${startup.inWholeMilliseconds} ms")
            runAll(it.bootstrapServers)
        }
    }

    private fun runAll(bootstrapServers: String) {
        println("\n=== SimpleProducer, Kotlin DSL (study note 004) ===")
        runBlocking { SimpleProducer.run(bootstrapServers) }
        println("\n=== SimpleProducer, Java builder (study note 004) ===")
        io.github.kproducer.samples.java.SimpleProducer
            .run(bootstrapServers)
    }
}
