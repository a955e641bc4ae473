package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.awaitPartitionsServing
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.admin.NewTopic
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.TopicExistsException
import org.apache.kafka.common.serialization.StringDeserializer
import java.io.PrintStream
import java.util.Locale
import java.util.concurrent.ExecutionException
import kotlin.time.Duration
import kotlin.time.TimeSource

/** One program of the study notes, runnable by [name] from [SamplesTour]. */
internal abstract class Sample(
    /** The command-line name, such as `compression`. */
    val name: String,
    /** What it shows, one line. */
    val title: String,
    /** The study notes it comes from, such as `002`. */
    val notes: String,
    /** How many brokers the embedded cluster needs (3 for failover and exactly-once). */
    val brokers: Int = 1,
) {
    /** Runs the program against [env], printing what a learner wants to see. */
    abstract suspend fun run(env: SampleEnvironment)
}

/**
 * Where a sample runs and prints: the cluster's bootstrap servers, the embedded cluster when there
 * is one (to stop and start brokers), and a [scale] that tests use to shrink long runs.
 */
internal class SampleEnvironment(
    val bootstrapServers: String,
    val cluster: EmbeddedKafka? = null,
    val out: PrintStream = System.out,
    val scale: Double = 1.0,
) {
    /** [count] scaled for this run, at least 1. */
    fun scaled(count: Int): Int = maxOf(1, (count * scale).toInt())

    fun println(line: String = "") = out.println(line)

    /**
     * Creates [topic] unless it exists (samples may run again against the same cluster), and returns
     * once its partitions serve produce requests: a produce that comes sooner meets
     * `NOT_LEADER_OR_FOLLOWER`, which can cost a raw idempotent producer records (KAFKA-15591). On the
     * embedded cluster the test kit's `createTopic` waits; on your own cluster the same wait runs over
     * Admin (`awaitPartitionsServing`).
     */
    fun createTopic(
        topic: String,
        partitions: Int = 1,
        replicationFactor: Int = 1,
        configs: Map<String, String> = emptyMap(),
    ) {
        val embedded = cluster
        if (embedded != null) {
            try {
                embedded.createTopic(topic, partitions, replicationFactor, configs)
            } catch (_: TopicExistsException) {
                // Made by an earlier run of the sample.
            }
            return
        }
        Admin.create(mapOf(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers)).use { admin ->
            try {
                admin.createTopics(listOf(NewTopic(topic, partitions, replicationFactor.toShort()).configs(configs))).all().get()
            } catch (e: ExecutionException) {
                if (e.cause !is TopicExistsException) throw e.cause ?: e
            }
            admin.awaitPartitionsServing(listOf(topic))
        }
    }

    /** A new String consumer of this cluster with [settings] added; the caller closes it. */
    fun newConsumer(settings: Map<String, Any> = emptyMap()): KafkaConsumer<String, String> =
        KafkaConsumer(mapOf<String, Any>(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers) + settings, StringDeserializer(), StringDeserializer())

    /** A String consumer of this cluster with [settings] added, closed after [block]. */
    fun <T> consumer(
        settings: Map<String, Any> = emptyMap(),
        block: (KafkaConsumer<String, String>) -> T,
    ): T = newConsumer(settings).use(block)

    /**
     * Every record of [topic] up to its current end, as a consumer with [isolation] sees it: with
     * `READ_COMMITTED` the end is the last stable offset, and aborted records are left out.
     */
    fun readAll(
        topic: String,
        isolation: IsolationLevel = IsolationLevel.READ_UNCOMMITTED,
    ): List<ConsumerRecord<String, String>> =
        consumer(mapOf(ConsumerConfig.ISOLATION_LEVEL_CONFIG to isolation.toString().lowercase(Locale.ROOT))) { consumer ->
            val partitions = consumer.partitionsFor(topic).map { TopicPartition(topic, it.partition()) }
            consumer.assign(partitions)
            consumer.seekToBeginning(partitions)
            val end = consumer.endOffsets(partitions)
            val records = mutableListOf<ConsumerRecord<String, String>>()
            while (partitions.any { consumer.position(it) < end.getValue(it) }) records += consumer.poll(java.time.Duration.ofMillis(100))
            records
        }

    /** A live progress line: rewritten in place on a terminal, every quarter as a new line otherwise. */
    fun progress(label: String): Progress = Progress(label, out, System.console() != null)
}

/** Prints how far a long run is, without flooding logs. */
internal class Progress(
    private val label: String,
    private val out: PrintStream,
    private val terminal: Boolean,
) {
    private val started = TimeSource.Monotonic.markNow()
    private var lastQuarter = 0
    private var lastPrint = started

    fun update(
        done: Long,
        total: Long,
        extra: String = "",
    ) {
        val percent = if (total == 0L) 100 else (done * 100 / total).toInt()
        if (terminal) {
            if (lastPrint.elapsedNow() < Duration.parse("100ms") && done < total) return
            lastPrint = TimeSource.Monotonic.markNow()
            val bar = "=".repeat(percent / 5).padEnd(20)
            out.print("\r  $label [$bar] %3d%% %,d/%,d %s".format(percent, done, total, extra))
            if (done >= total) out.println()
        } else if (percent / 25 > lastQuarter) {
            lastQuarter = percent / 25
            out.println("  $label %3d%% %,d/%,d %s".format(percent, done, total, extra).trimEnd())
        }
    }

    fun elapsedSeconds(): Double = started.elapsedNow().inWholeMicroseconds / 1e6
}
