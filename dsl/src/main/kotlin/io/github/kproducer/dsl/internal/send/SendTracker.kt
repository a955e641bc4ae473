package io.github.kproducer.dsl.internal.send

import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.delivery.Deliveries
import io.github.kproducer.dsl.internal.delivery.QueuedWork
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.InvalidRecordException
import org.apache.kafka.common.errors.NotEnoughReplicasException
import org.apache.kafka.common.errors.OutOfOrderSequenceException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.TimeoutException
import org.slf4j.LoggerFactory
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater
import java.util.concurrent.atomic.LongAdder

/**
 * What every callback of one producer shares: the outcome counters, the listeners, and the
 * explanation added to Kafka's metadata timeout.
 */
internal class SendTracker<K, V>(
    private val behaviour: ProducerBehaviour<K, V>,
    /** For error messages; unknown for a wrapped producer. */
    private val bootstrapServers: String?,
    /** Where listeners run, in order, off Kafka's I/O thread. */
    val deliveries: Deliveries,
    /** A wrapped producer that is not a `KafkaProducer`: [FirstWriteGuard] cannot protect it, so an expiry may be KAFKA-15591. */
    private val unguarded: Boolean = false,
) {
    val acknowledged = LongAdder()
    val failed = LongAdder()

    /** Records accepted by a send call: handed to Kafka, or queued in a lane (whose failures count as failed). */
    val accepted = LongAdder()
    private val hasListeners = behaviour.listeners.isNotEmpty()

    /** Counts the outcome and tells the listeners; returns the failure to report, or `null` on success. */
    fun completed(
        record: ProducerRecord<K, V>,
        metadata: RecordMetadata?,
        exception: Exception?,
    ): Exception? {
        val failure =
            if (exception != null) {
                explained(exception, record)
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
        deliveries.deliver(
            object : QueuedWork() {
                override fun runQueued() {
                    for (listener in behaviour.listeners) {
                        try {
                            if (failure == null) listener.onSuccess(record, metadata!!) else listener.onError(record, failure)
                        } catch (e: Exception) {
                            log.error("A SendListener threw for a record of topic {}", record.topic(), e)
                        }
                    }
                }
            },
        )
    }

    /**
     * Kafka's exception with what it leaves out: the fix for a record that is too large, the partition
     * count for a partition that does not exist, why a batch expired, the bootstrap servers for a
     * topic that never showed up, the key a compacted topic needs. The type stays Kafka's, so that
     * callers' `catch` clauses and `isRetriable` still work.
     *
     * Kafka fails every record of a batch with one exception instance; its records share one
     * explanation too, instead of one new exception (and stack trace) per record.
     */
    private fun explained(
        exception: Exception,
        record: ProducerRecord<K, V>,
    ): Exception {
        lastExplained?.let { if (it.original === exception) return it.explanation }
        val explanation = explain(exception, record)
        if (explanation !== exception) lastExplained = Explained(exception, explanation)
        return explanation
    }

    private class Explained(
        val original: Exception,
        val explanation: Exception,
    )

    @Volatile private var lastExplained: Explained? = null

    private fun explain(
        exception: Exception,
        record: ProducerRecord<K, V>,
    ): Exception {
        val message = exception.message ?: return exception
        return when (exception) {
            is RecordTooLargeException -> {
                tooLarge(exception, message, record.topic())
            }

            is TimeoutException -> {
                metadataTimeout(exception, message) ?: exception
            }

            is NotEnoughReplicasException -> {
                NotEnoughReplicasException(
                    "$message Topic '${record.topic()}' has fewer in-sync replicas than its min.insync.replicas, so with acks=all " +
                        "its leader refused the record, and Kafka's retries ran out. Bring the replicas back in sync, or lower " +
                        "min.insync.replicas of the topic; retrying the send later may succeed.",
                    exception,
                )
            }

            is OutOfOrderSequenceException -> {
                OutOfOrderSequenceException(
                    "$message The broker refused this record's sequence number: a later request of this producer to topic " +
                        "'${record.topic()}' was written before the one holding this record. On a partition the producer had not " +
                        "written to before, this is KAFKA-15591: the first request to it failed with a retriable error (such as " +
                        "NOT_LEADER_OR_FOLLOWER from a leader that had not opened a new partition yet) while a second one was in " +
                        "flight, and a broker without the producer's state (Kafka up to 4.4) appended the second. Producers built " +
                        "with kafkaProducer { } or wrapping a KafkaProducer send a partition nothing more until its first record " +
                        "is acknowledged; other wrapped producers do not. Create topics before producing and wait until their " +
                        "partitions serve (the test kit's createTopic does), and close this producer: its later records to the " +
                        "partition may be out of order.",
                ).also { it.initCause(exception) }
            }

            is InvalidRecordException -> {
                if (message.contains("without key")) {
                    InvalidRecordException(
                        "$message Topic '${record.topic()}' is compacted (cleanup.policy=compact), so every record needs a key: " +
                            "give the record a key, or send it to a topic that is not compacted.",
                        exception,
                    )
                } else {
                    exception
                }
            }

            else -> {
                exception
            }
        }
    }

    private fun tooLarge(
        exception: RecordTooLargeException,
        message: String,
        topic: String,
    ): Exception =
        if (message.contains("max.request.size")) {
            // Found by the client before sending; its message names the setting but not the DSL's name or the other fix.
            RecordTooLargeException(
                "$message Send a smaller record to topic '$topic', or raise maxRequestSize (the topic's max.message.bytes " +
                    "and the broker's message.max.bytes must allow it too).",
                exception,
            )
        } else {
            RecordTooLargeException(
                "$message Topic '$topic' refused the batch: it is above the topic's max.message.bytes (or the broker's " +
                    "message.max.bytes). Send a smaller record, or raise max.message.bytes of the topic.",
                exception,
            )
        }

    private fun metadataTimeout(
        exception: TimeoutException,
        message: String,
    ): Exception? {
        val partition = MISSING_PARTITION.find(message)
        if (partition != null) {
            val (number, topic, count) = partition.destructured
            return TimeoutException(
                "Partition $number of topic '$topic' does not exist: the topic has $count partitions (0..${count.toInt() - 1}), " +
                    "and no newer metadata showed more before maxBlock ran out. Send without a partition (the partitioner picks one), " +
                    "choose a partition below $count, or add partitions to the topic. ($message)",
                exception,
            )
        }
        if (message.contains("since batch creation")) {
            return TimeoutException(
                "$message No broker acknowledged the record within deliveryTimeout: the partition's leader may be down or " +
                    "unreachable${bootstrapServers?.let { " (bootstrap servers: $it)" } ?: ""}, the cluster too slow, or the leader " +
                    "kept answering with a retriable error (NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER; Kafka's WARN log " +
                    "'Got error produce response' names it). Raise deliveryTimeout to ride out longer outages; the producer " +
                    "sends again once the brokers are back." + if (unguarded) UNGUARDED_EXPIRY else "",
                exception,
            )
        }
        if (bootstrapServers != null && message.contains(FirstWriteGuard.TURN_TIMEOUT_MARK)) {
            return TimeoutException("$message Bootstrap servers: $bootstrapServers.", exception)
        }
        if (bootstrapServers == null || !message.contains("not present in metadata")) return null
        return TimeoutException(
            "$message Bootstrap servers: $bootstrapServers. The brokers may be unreachable, or the topic may not exist " +
                "while automatic topic creation is off.",
            exception,
        )
    }

    companion object {
        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!
        private val MISSING_PARTITION = Regex("""Partition (\d+) of topic (\S+) with partition count (\d+) is not present in metadata""")
        private const val NEITHER = "The producer completed a send with neither metadata nor an exception"
        private const val UNGUARDED_EXPIRY =
            " If that error was OUT_OF_ORDER_SEQUENCE_NUMBER on a partition this producer had just begun to write to (a new " +
                "topic), its records were lost to KAFKA-15591: the first request failed retriably while a second was in flight, " +
                "and a broker up to Kafka 4.4 appended the second. This wrapped producer is not a KafkaProducer, so kproducer " +
                "cannot hold a new partition's records until its first is acknowledged: wrap the KafkaProducer itself, or create " +
                "topics and wait until their partitions serve before producing."
    }
}
