package io.github.kproducer.dsl.internal.config

import io.github.kproducer.dsl.SendErrorHandler
import io.github.kproducer.dsl.SendListener
import io.github.kproducer.dsl.SendTracer
import io.github.kproducer.dsl.internal.delivery.LoggingErrorHandler
import io.github.kproducer.dsl.internal.tracing.SendTracing
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * The values of the [io.github.kproducer.dsl.AbstractKProducerOptions]: immutable, so the options
 * replace it on every change and a producer keeps the one it was built with. A new option is a field
 * here (with its default) and its setter in the options; nothing else copies it.
 */
internal data class ProducerBehaviour<K, V>(
    val errorHandler: SendErrorHandler<K, V> = LoggingErrorHandler(),
    val listeners: List<SendListener<K, V>> = emptyList(),
    val closeTimeout: Duration = 30.seconds,
    val maxInFlightRecords: Int = 10_000,
    val copyContextHeaders: Boolean = false,
    /** The OpenTelemetry tracer; null when none was set. */
    val openTelemetry: SendTracing? = null,
    /** The Micrometer Observation tracer; null when none was set. Runs beside [openTelemetry]. */
    val observation: SendTracing? = null,
) {
    /** Both tracers as one; null when sends are not traced. */
    val tracing: SendTracing? get() = SendTracing.both(openTelemetry, observation)

    /** These values with [tracer] in its slot, replacing an earlier tracer of its kind. */
    fun with(tracer: SendTracer): ProducerBehaviour<K, V> =
        when (tracer.kind) {
            SendTracer.Kind.OPEN_TELEMETRY -> copy(openTelemetry = tracer.tracing)
            SendTracer.Kind.MICROMETER -> copy(observation = tracer.tracing)
        }

    /** What is wrong with these values, each problem worded for the caller ([wording]). */
    fun problems(wording: Wording): List<String> =
        buildList {
            if (closeTimeout.isNegative()) add("${wording.setting("closeTimeout")} must not be negative, was ${wording.duration(closeTimeout)}")
            if (maxInFlightRecords < 1) add("${wording.setting("maxInFlightRecords")} must be at least 1, was $maxInFlightRecords")
        }
}
