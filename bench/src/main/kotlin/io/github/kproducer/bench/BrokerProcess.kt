package io.github.kproducer.bench

import io.github.kproducer.testkit.EmbeddedKafka
import java.io.BufferedReader
import java.io.InputStreamReader
import java.util.concurrent.TimeUnit
import kotlin.time.TimeSource

/**
 * An embedded broker in a JVM of its own, so that the producer under test has the benchmark JVM to
 * itself. Prints `READY <bootstrap servers>` once it serves, and stops when its standard input closes.
 * With the argument `proxy`, clients reach it through the test kit's fault proxy (no fault set).
 */
public object BrokerProcess {
    /** Starts the broker; see [BrokerProcess]. */
    @JvmStatic
    public fun main(args: Array<String>) {
        val proxied = "proxy" in args
        EmbeddedKafka { faultProxy = proxied }.use { kafka ->
            println("READY ${kafka.bootstrapServers}")
            System.out.flush()
            while (System.`in`.read() != -1) continue
        }
    }
}

/** A running [BrokerProcess] and the time it took from process start to serving. */
internal class RemoteBroker private constructor(
    private val process: Process,
    val bootstrapServers: String,
    val startMillis: Long,
) : AutoCloseable {
    override fun close() {
        process.outputStream.close()
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    companion object {
        /** Starts a broker JVM with [jvmOptions] added to its command line; [proxied] puts the fault proxy in front of it. */
        fun start(
            vararg jvmOptions: String,
            proxied: Boolean = false,
        ): RemoteBroker {
            val started = TimeSource.Monotonic.markNow()
            val java = "${System.getProperty("java.home")}/bin/java"
            val process =
                ProcessBuilder(
                    listOf(java, "-Xmx1g", *jvmOptions, "-cp", System.getProperty("java.class.path"), BrokerProcess::class.java.name) +
                        if (proxied) listOf("proxy") else emptyList(),
                ).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start()
            val lines = BufferedReader(InputStreamReader(process.inputStream))
            while (true) {
                val line = lines.readLine() ?: throw IllegalStateException("The broker process ended before it was ready")
                if (line.startsWith("READY ")) {
                    // Keep draining its output so that the broker never blocks on a full pipe.
                    Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
                    return RemoteBroker(process, line.removePrefix("READY "), started.elapsedNow().inWholeMilliseconds)
                }
            }
        }
    }
}
