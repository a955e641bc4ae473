package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafka
import kotlinx.coroutines.runBlocking
import kotlin.system.exitProcess
import kotlin.time.measureTime
import kotlin.time.measureTimedValue
import io.github.kproducer.samples.java.KafkaProducerExample as JavaKafkaProducerExample
import io.github.kproducer.samples.java.SendModes as JavaSendModes
import io.github.kproducer.samples.java.SimpleProducer as JavaSimpleProducer

/**
 * The samples tour: runs the study notes' programs, all of them or the ones named, against
 * `--bootstrap-servers`, or, without it, against embedded Kafka clusters started for the tour (a
 * 3-broker one for the samples that stop a broker or need one).
 */
public object SamplesTour {
    internal val samples: List<Sample> =
        listOf(
            SendModes,
            JavaProgram("send-modes-java", "The send modes in Java (SendModes.java)", "001") { JavaSendModes.run(it) },
            SimpleProducerSample,
            JavaProgram("simple-producer-java", "SimpleProducer in Java", "004") { JavaSimpleProducer.run(it) },
            ProducerExample,
            JavaProgram("producer-example-java", "KafkaProducerExample in Java", "004") { JavaKafkaProducerExample.run(it) },
            JsonEvents,
            BatchAndParallel,
            Partitioning,
            TransactionalProducer,
            ExactlyOnce,
            PerformanceRun,
            BrokerFailure,
            KeyOrdering,
            Monitoring,
            HeadersAndInterceptors,
            UseCasePresets,
            BackPressure,
            CompressionComparison,
        )

    private const val USAGE =
        "usage: SamplesTour [--bootstrap-servers host:port[,host:port...]] [--list] [sample-name ...]"

    /** Runs the tour; see [SamplesTour]. `--list` prints the sample names. */
    @JvmStatic
    public fun main(args: Array<String>) {
        val words = args.flatMap { it.trim().split(Regex("\\s+")) }.filter { it.isNotEmpty() }
        var bootstrapServers: String? = null
        val names = mutableListOf<String>()
        var index = 0
        while (index < words.size) {
            when (val word = words[index]) {
                "--bootstrap-servers" -> {
                    bootstrapServers = words.getOrNull(++index) ?: fail("--bootstrap-servers needs a value")
                }

                "--list" -> {
                    samples.forEach { println("%-24s notes %-9s %s".format(it.name, it.notes, it.title)) }
                    return
                }

                else -> {
                    if (word.startsWith("--")) fail("unknown option $word") else names += word
                }
            }
            index++
        }
        val unknown = names.filter { name -> samples.none { it.name == name } }
        if (unknown.isNotEmpty()) fail("unknown sample(s) $unknown; --list shows them")
        val chosen = if (names.isEmpty()) samples else samples.filter { it.name in names }
        val took = measureTime { runBlocking { run(chosen, bootstrapServers) } }
        println("\n${chosen.size} sample(s) done in ${took.inWholeSeconds} s")
    }

    private suspend fun run(
        chosen: List<Sample>,
        bootstrapServers: String?,
    ) {
        if (bootstrapServers != null) {
            println("Running against $bootstrapServers")
            chosen.forEach { runOne(it, SampleEnvironment(bootstrapServers)) }
            return
        }
        val single = lazy { started(1) }
        val triple = lazy { started(3) }
        try {
            for (sample in chosen) {
                val cluster = if (sample.brokers >= 3) triple.value else single.value
                runOne(sample, SampleEnvironment(cluster.bootstrapServers, cluster))
            }
        } finally {
            if (single.isInitialized()) single.value.close()
            if (triple.isInitialized()) triple.value.close()
        }
    }

    private fun started(brokers: Int): EmbeddedKafka {
        val (kafka, took) = measureTimedValue { EmbeddedKafka { this.brokers = brokers } }
        println("Started an embedded Kafka cluster of $brokers broker(s) at ${kafka.bootstrapServers} in ${took.inWholeMilliseconds} ms")
        return kafka
    }

    private suspend fun runOne(
        sample: Sample,
        env: SampleEnvironment,
    ) {
        println("\n=== ${sample.name}: ${sample.title} (study note ${sample.notes}) ===")
        sample.run(env)
    }

    private fun fail(message: String): Nothing {
        System.err.println("$message\n$USAGE")
        exitProcess(2)
    }
}

/** A Java program of the notes, run by the tour like the Kotlin samples. */
private class JavaProgram(
    name: String,
    title: String,
    notes: String,
    private val program: (String) -> Any,
) : Sample(name, title, notes) {
    override suspend fun run(env: SampleEnvironment) {
        program(env.bootstrapServers)
    }
}

/** Study note 004's SimpleProducer with the DSL, as a tour sample. */
private object SimpleProducerSample : Sample(name = "simple-producer", title = "SimpleProducer: one record to simple-topic", notes = "004") {
    override suspend fun run(env: SampleEnvironment) {
        SimpleProducer.run(env.bootstrapServers)
    }
}
