package io.github.kproducer.dsl.internal.tracing

import io.github.kproducer.dsl.KProducerSendContext
import io.micrometer.common.KeyValue
import io.micrometer.observation.Observation
import io.micrometer.observation.ObservationRegistry
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.concurrent.CancellationException
import java.util.concurrent.atomic.AtomicBoolean

/**
 * [SendTracing] with a Micrometer [ObservationRegistry]: one `kproducer.send` Observation per record,
 * with a [KProducerSendContext], so that every handler the application registered (metrics, Micrometer
 * Tracing with Brave or OpenTelemetry) sees it.
 */
internal class MicrometerSendObservation(
    private val registry: ObservationRegistry,
) : SendTracing {
    override fun forProducer(producer: Producer<*, *>): ProducerTracing {
        val clientId by lazy(LazyThreadSafetyMode.PUBLICATION) {
            producer.metrics().keys.firstNotNullOfOrNull { it.tags()["client-id"] }
        }
        return ProducerTracing { record, _ -> start(record, clientId) }
    }

    private fun start(
        record: ProducerRecord<*, *>,
        clientId: String?,
    ): SendSpan {
        val context = KProducerSendContext(record, clientId)
        val observation =
            Observation
                .createNotStarted(NAME, { context }, registry)
                .contextualName("send ${record.topic()}")
                .lowCardinalityKeyValue(MESSAGING_SYSTEM)
                .lowCardinalityKeyValue(OPERATION)
                .lowCardinalityKeyValue(DESTINATION, record.topic())
        clientId?.let { observation.lowCardinalityKeyValue(CLIENT_ID, it) }
        return ObservedSend(observation.start(), context)
    }

    private class ObservedSend(
        private val observation: Observation,
        private val context: KProducerSendContext,
    ) : OnceSendSpan() {
        override fun succeeded(metadata: RecordMetadata) {
            context.metadata = metadata
            observation.highCardinalityKeyValue(PARTITION, metadata.partition().toString())
            if (metadata.hasOffset()) observation.highCardinalityKeyValue(OFFSET, metadata.offset().toString())
        }

        override fun failed(failure: Throwable) {
            observation.lowCardinalityKeyValue(ERROR_TYPE, failure.javaClass.name)
            observation.error(failure)
        }

        override fun cancelled(description: String) {
            observation.lowCardinalityKeyValue(ERROR_TYPE, "cancelled")
            observation.error(CancellationException(description))
        }

        override fun finish() {
            observation.stop()
        }
    }

    private companion object {
        const val NAME = "kproducer.send"
        val MESSAGING_SYSTEM: KeyValue = KeyValue.of("messaging.system", "kafka")
        val OPERATION: KeyValue = KeyValue.of("messaging.operation", "send")
        const val DESTINATION = "messaging.destination.name"
        const val CLIENT_ID = "messaging.client.id"
        const val PARTITION = "messaging.destination.partition.id"
        const val OFFSET = "messaging.kafka.offset"
        const val ERROR_TYPE = "error.type"
    }
}
