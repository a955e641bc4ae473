@file:JvmName("OpenTelemetryTracing")

package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.tracing.OpenTelemetrySendTracing
import io.opentelemetry.api.OpenTelemetry

/**
 * Traces every send of the producer with [openTelemetry]: each record gets a PRODUCER span, `send <topic>`,
 * with OpenTelemetry's messaging attributes (`messaging.system` `kafka`, `messaging.destination.name`,
 * `messaging.operation.type` `send`, `messaging.client.id`, and once acknowledged
 * `messaging.destination.partition.id` and `messaging.kafka.offset`; on failure the span's status is
 * ERROR with `error.type` and the exception). The span's context goes into the record's headers through
 * [openTelemetry]'s `TextMapPropagator` (W3C `traceparent` with the usual SDK set-up), replacing a header
 * of the same name, so a consumer's OpenTelemetry instrumentation continues the trace.
 *
 * The span is a child of the caller's trace: for a suspending send, the OpenTelemetry context its coroutine
 * carries (`withContext(span.asContextElement()) { ... }`, from `opentelemetry-extension-kotlin`), else the
 * thread's current context (`span.makeCurrent()`, what `sendAsync` and `offer` from Java see). A send
 * outside any trace starts a new one.
 *
 * Spans start on the caller's thread and end on Kafka's I/O thread when the outcome is known (ending a span
 * hands it to the SDK's span processor; use a batching one in production). A record that a cancelled
 * caller took back before it reached Kafka ends its span with ERROR and `error.type` `cancelled`.
 * [HeadersContext] stays for plain headers that are not trace context (a tenant, say).
 *
 * Needs `io.opentelemetry:opentelemetry-api` and `io.opentelemetry:opentelemetry-extension-kotlin` on the
 * class path (optional dependencies of the DSL). Calling it again replaces the earlier [openTelemetry].
 */
public fun KProducerOptions<*, *>.tracing(openTelemetry: OpenTelemetry) {
    tracing(sendTracer(openTelemetry))
}

/**
 * A [SendTracer] that traces every send with [openTelemetry], as [tracing] describes; for the Java
 * builder: `.tracing(OpenTelemetryTracing.sendTracer(openTelemetry))`.
 */
public fun sendTracer(openTelemetry: OpenTelemetry): SendTracer = SendTracer(OpenTelemetrySendTracing(openTelemetry), SendTracer.Kind.OPEN_TELEMETRY)
