package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafka
import java.io.ByteArrayOutputStream
import java.io.PrintStream

/** Runs samples against [kafka] and keeps what they print. */
class Captured(
    kafka: EmbeddedKafka,
    scale: Double = 1.0,
) {
    private val bytes = ByteArrayOutputStream()
    internal val env = SampleEnvironment(kafka.bootstrapServers, kafka, PrintStream(bytes, true), scale)

    val printed: String get() = bytes.toString()
}
