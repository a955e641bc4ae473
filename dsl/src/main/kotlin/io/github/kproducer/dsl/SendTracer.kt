package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.tracing.SendTracing

/**
 * A way to trace a producer's sends, for [KProducerBuilder.tracing]: OpenTelemetry spans
 * (`OpenTelemetryTracing.sendTracer(openTelemetry)`) or Micrometer Observations
 * (`MicrometerObservation.sendTracer(registry)`); a producer may have one of each.
 *
 * The type names no tracing library, so the builder's signatures do not either: a class path without
 * OpenTelemetry or Micrometer still loads the builder and reflects over it (Spring, Mockito).
 * Immutable; one tracer may serve many producers.
 */
public class SendTracer internal constructor(
    internal val tracing: SendTracing?,
    internal val kind: Kind,
) {
    /** Which slot of the options a tracer fills: one of each kind runs beside the other. */
    internal enum class Kind { OPEN_TELEMETRY, MICROMETER }
}
