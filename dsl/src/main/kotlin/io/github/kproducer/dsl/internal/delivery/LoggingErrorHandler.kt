package io.github.kproducer.dsl.internal.delivery

import io.github.kproducer.dsl.SendErrorHandler
import org.apache.kafka.clients.producer.ProducerRecord
import org.slf4j.LoggerFactory

/** The default [SendErrorHandler]: logs the topic, partition and cause at ERROR, never the key or value. */
internal class LoggingErrorHandler<K, V> : SendErrorHandler<K, V> {
    override fun onError(
        record: ProducerRecord<K, V>,
        exception: Exception,
    ) {
        log.error(
            "Failed to send a record to topic {}{}: {}",
            record.topic(),
            record.partition()?.let { " partition $it" } ?: "",
            exception.toString(),
            exception,
        )
    }

    private companion object {
        val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!
    }
}
