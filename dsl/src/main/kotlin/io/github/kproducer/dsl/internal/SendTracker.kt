package io.github.kproducer.dsl.internal

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.errors.TimeoutException
import org.slf4j.LoggerFactory
import java.util.concurrent.Executor
import java.util.concurrent.atomic.LongAdder

/**
 * What every callback of one producer shares: the outcome counters, the listeners, and the
 * explanation added to Kafka's metadata timeout.
 */
internal class SendTracker<K, V>(
    private val behaviour: ProducerBehaviour<K, V>,
    /** For error messages; unknown for a wrapped producer. */
    private val bootstrapServers: String?,
) {
    val acknowledged = LongAdder()
    val failed = LongAdder()
    val handedOver = LongAdder()
    private val hasListeners = behaviour.listeners.isNotEmpty()

    /** Counts the outcome and tells the listeners; returns the failure to report, or `null` on success. */
    fun completed(
        record: ProducerRecord<K, V>,
        metadata: RecordMetadata?,
        exception: Exception?,
    ): Exception? {
        val failure =
            if (exception != null) {
                explained(exception)
            } else if (metadata == null) {
                IllegalStateException(NEITHER)
            } else {
                null
            }
        if (failure == null) acknowledged.increment() else failed.increment()
        if (hasListeners) notifyListeners(record, metadata, failure)
        return failure
    }

    private fun notifyListeners(
        record: ProducerRecord<K, V>,
        metadata: RecordMetadata?,
        failure: Exception?,
    ) {
        completions.execute {
            for (listener in behaviour.listeners) {
                try {
                    if (failure == null) listener.onSuccess(record, metadata!!) else listener.onError(record, failure)
                } catch (e: Exception) {
                    log.error("A SendListener threw for a record of topic {}", record.topic(), e)
                }
            }
        }
    }

    /** Adds the bootstrap servers to Kafka's "not present in metadata" timeout, keeping its type. */
    private fun explained(exception: Exception): Exception {
        if (exception !is TimeoutException || bootstrapServers == null) return exception
        val message = exception.message ?: return exception
        if (!message.contains("not present in metadata")) return exception
        return TimeoutException(
            "$message Bootstrap servers: $bootstrapServers. The brokers may be unreachable, or the topic may not exist " +
                "while automatic topic creation is off.",
            exception,
        )
    }

    companion object {
        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!
        private const val NEITHER = "The producer completed a send with neither metadata nor an exception"

        /** Where `sendAsync` futures complete and listeners run, so that user code never runs on Kafka's I/O thread. */
        val completions: Executor = Dispatchers.Default.asExecutor()
    }
}

/**
 * The base of every callback a producer hands to Kafka. It branches on the exception, never on the
 * metadata (on failure Kafka passes metadata with -1 fields), and does nothing on Kafka's I/O
 * thread but count, store, resume or complete.
 */
internal abstract class TrackedCallback<K, V>(
    private val tracker: SendTracker<K, V>,
    private val record: ProducerRecord<K, V>,
) : ResumeQueue.Node(),
    Callback {
    final override fun onCompletion(
        metadata: RecordMetadata?,
        exception: Exception?,
    ) {
        val failure = tracker.completed(record, metadata, exception)
        if (failure == null) succeeded(metadata!!) else failed(failure)
    }

    protected abstract fun succeeded(metadata: RecordMetadata)

    protected abstract fun failed(exception: Exception)

    /** Callbacks that resume a coroutine queue themselves in a [ResumeQueue]; the others never do. */
    override fun resume(): Unit = Unit
}
