@file:JvmName("MicrometerObservation")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.tracing.MicrometerSendObservation
import io.micrometer.observation.ObservationRegistry

/**
 * Observes every send of the producer with a Micrometer [registry]: each record gets an Observation
 * named `kproducer.send` (contextual name `send <topic>`), of kind PRODUCER, whose context is a
 * [KProducerSendContext]. Its low-cardinality keys are `messaging.system` `kafka`,
 * `messaging.operation` `send`, `messaging.destination.name` (the topic) and, on failure,
 * `error.type`; once acknowledged, the high-cardinality `messaging.destination.partition.id` and
 * `messaging.kafka.offset` are added. The Observation's parent is the thread's current one
 * (`registry.getCurrentObservation()`), and a tracing handler (Micrometer Tracing with Brave or
 * OpenTelemetry) writes its trace headers into the record through the context's propagator setter,
 * replacing a header of the same name, so the consumer continues the trace.
 *
 * Observations start on the caller's thread and stop on Kafka's I/O thread when the outcome is known:
 * handlers must be short and never block. A record that a cancelled caller took back before it reached
 * Kafka stops its Observation with a `CancellationException` error. A registry that is a no-op
 * (`ObservationRegistry.NOOP`) observes nothing and costs nothing. Works beside [tracing]: both run.
 *
 * Needs `io.micrometer:micrometer-observation` on the class path (it comes with `micrometer-core`, an
 * optional dependency of the DSL). Calling it again replaces the earlier [registry].
 */
public fun KProducerOptions<*, *>.observation(registry: ObservationRegistry) {
    tracing(sendTracer(registry))
}

/**
 * A [SendTracer] that observes every send with [registry], as [observation] describes; for the Java
 * builder: `.tracing(MicrometerObservation.sendTracer(registry))`.
 */
public fun sendTracer(registry: ObservationRegistry): SendTracer =
    SendTracer(if (registry.isNoop) null else MicrometerSendObservation(registry), SendTracer.Kind.MICROMETER)
