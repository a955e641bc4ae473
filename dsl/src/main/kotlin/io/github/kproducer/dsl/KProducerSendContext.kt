package io.github.kproducer.dsl

import io.micrometer.observation.transport.Kind
import io.micrometer.observation.transport.SenderContext
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.header.Headers

/**
 * The context of one send's Micrometer Observation (see [observation]): the [record], the producer's
 * [clientId], and once acknowledged the record's [metadata]. Its propagator setter writes a tracing
 * handler's headers into the record, replacing a header of the same name; a record whose headers are
 * read-only (sent before) keeps the trace headers of its first send.
 *
 * Read it in an `ObservationHandler` or an `ObservationFilter` (`context as? KProducerSendContext`);
 * it is created by the producer, on the caller's thread, and its [metadata] is set on Kafka's I/O thread
 * before the Observation stops.
 */
public class KProducerSendContext internal constructor(
    /** The record being sent, with the headers it goes to Kafka with. */
    public val record: ProducerRecord<*, *>,
    /** The producer's `client.id` (Kafka names an unnamed one `producer-N`), or null when unknown (a mock). */
    public val clientId: String?,
) : SenderContext<Headers>(HeaderSetter, Kind.PRODUCER) {
    /** The record's metadata once acknowledged; null before, and for a record that failed. */
    @Volatile
    public var metadata: RecordMetadata? = null
        internal set

    init {
        setCarrier(record.headers())
        remoteServiceName = "kafka"
    }

    private object HeaderSetter : io.micrometer.observation.transport.Propagator.Setter<Headers> {
        override fun set(
            carrier: Headers?,
            key: String,
            value: String,
        ) {
            try {
                carrier?.remove(key)?.add(key, value.toByteArray(Charsets.UTF_8))
            } catch (_: IllegalStateException) {
                // Sent before: its headers are read-only now, and keep the trace headers of that first send.
            }
        }
    }
}
