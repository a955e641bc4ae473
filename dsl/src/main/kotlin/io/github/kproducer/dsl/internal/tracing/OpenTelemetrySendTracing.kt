package io.github.kproducer.dsl.internal.tracing

import io.opentelemetry.api.OpenTelemetry
import io.opentelemetry.api.common.AttributeKey
import io.opentelemetry.api.trace.Span
import io.opentelemetry.api.trace.SpanKind
import io.opentelemetry.api.trace.StatusCode
import io.opentelemetry.context.Context
import io.opentelemetry.context.propagation.TextMapSetter
import io.opentelemetry.extension.kotlin.getOpenTelemetryContext
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.header.Headers
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.CoroutineContext

/**
 * [SendTracing] with OpenTelemetry: one PRODUCER span per record, named and described by
 * OpenTelemetry's messaging semantic conventions (`send <topic>`, `messaging.*` attributes), and the
 * span's context written into the record's headers by the configured `TextMapPropagator` (W3C
 * `traceparent` by default), where a consumer's OpenTelemetry instrumentation picks it up.
 */
internal class OpenTelemetrySendTracing(
    openTelemetry: OpenTelemetry,
) : SendTracing {
    private val tracer = openTelemetry.getTracer(INSTRUMENTATION_SCOPE)
    private val propagator = openTelemetry.propagators.textMapPropagator

    override fun forProducer(producer: Producer<*, *>): ProducerTracing {
        // Kafka names an unnamed producer (producer-1, ...); its metrics carry the name. A mock has none.
        val clientId by lazy(LazyThreadSafetyMode.PUBLICATION) {
            producer.metrics().keys.firstNotNullOfOrNull { it.tags()["client-id"] }
        }
        return ProducerTracing { record, context -> start(record, context, clientId) }
    }

    private fun start(
        record: ProducerRecord<*, *>,
        context: CoroutineContext?,
        clientId: String?,
    ): SendSpan {
        val parent = context?.getOpenTelemetryContext()?.takeIf { it !== Context.root() } ?: Context.current()
        val builder =
            tracer
                .spanBuilder("send ${record.topic()}")
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(OPERATION_NAME, "send")
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(DESTINATION, record.topic())
        record.partition()?.let { builder.setAttribute(PARTITION, it.toString()) }
        clientId?.let { builder.setAttribute(CLIENT_ID, it) }
        val span = builder.startSpan()
        try {
            propagator.inject(parent.with(span), record.headers(), HeaderSetter)
        } catch (_: IllegalStateException) {
            // The record was sent before and its headers are read-only now: it keeps the trace headers of that first send.
        }
        return OpenTelemetrySendSpan(span)
    }

    private class OpenTelemetrySendSpan(
        private val span: Span,
    ) : OnceSendSpan() {
        override fun succeeded(metadata: RecordMetadata) {
            span.setAttribute(PARTITION, metadata.partition().toString())
            if (metadata.hasOffset()) span.setAttribute(OFFSET, metadata.offset())
        }

        override fun failed(failure: Throwable) {
            span.setAttribute(ERROR_TYPE, failure.javaClass.name)
            span.setStatus(StatusCode.ERROR, failure.message ?: failure.javaClass.simpleName)
            span.recordException(failure)
        }

        override fun cancelled(description: String) {
            span.setAttribute(ERROR_TYPE, "cancelled")
            span.setStatus(StatusCode.ERROR, description)
        }

        override fun finish() {
            span.end()
        }
    }

    /** Writes one propagation header, replacing a header of the same name (a record is traced by its latest send). */
    private object HeaderSetter : TextMapSetter<Headers> {
        override fun set(
            carrier: Headers?,
            key: String,
            value: String,
        ) {
            carrier?.remove(key)?.add(key, value.toByteArray(Charsets.UTF_8))
        }
    }

    private companion object {
        const val INSTRUMENTATION_SCOPE = "io.github.kproducer.dsl"
        val MESSAGING_SYSTEM: AttributeKey<String> = AttributeKey.stringKey("messaging.system")
        val OPERATION_NAME: AttributeKey<String> = AttributeKey.stringKey("messaging.operation.name")
        val OPERATION_TYPE: AttributeKey<String> = AttributeKey.stringKey("messaging.operation.type")
        val DESTINATION: AttributeKey<String> = AttributeKey.stringKey("messaging.destination.name")
        val PARTITION: AttributeKey<String> = AttributeKey.stringKey("messaging.destination.partition.id")
        val CLIENT_ID: AttributeKey<String> = AttributeKey.stringKey("messaging.client.id")
        val OFFSET: AttributeKey<Long> = AttributeKey.longKey("messaging.kafka.offset")
        val ERROR_TYPE: AttributeKey<String> = AttributeKey.stringKey("error.type")
    }
}
