package io.github.kproducer.testkit.history

import io.github.kproducer.testkit.nemesis.Nemesis
import kotlinx.coroutines.CancellationException
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.nio.ByteBuffer
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong
import java.util.function.Function

/**
 * What a producer was told about each record it sent, to compare with what is on the topic afterwards
 * ([check]), the way Jepsen checks a history: every record is attempted once, then acknowledged, failed,
 * or left unknown (its caller stopped waiting), or never answered at all.
 *
 * Records are told apart by topic and value: give each attempted record a value no other record of its
 * topic has (a sequence number, say). Keys and values compare by content: a `String` matches the bytes of
 * its UTF-8 encoding, so records sent as strings can be read back as bytes and the other way round. The
 * attempt order of one key is the order of the calls that attempted its records: to check order per key,
 * send each key's records from one thread or coroutine, in order, as Kafka's ordering promise assumes.
 *
 * Thread-safe: many threads and coroutines may record into one history.
 */
public class SendHistory {
    private val sequence = AtomicLong()
    private val attempts = ConcurrentHashMap<Identity, Attempt>()

    /**
     * Records that [record] is about to be sent and returns the Kafka [Callback] that records its outcome:
     * pass it to `Producer.send(record, callback)`, or call it yourself.
     *
     * @throws IllegalArgumentException when a record with the same topic and value was attempted before.
     */
    public fun attempt(record: ProducerRecord<*, *>): Callback {
        val identity = Identity(record.topic(), comparable(record.value()))
        val attempt = Attempt(sequence.getAndIncrement(), record.topic(), comparable(record.key()), record.value())
        require(attempts.putIfAbsent(identity, attempt) == null) {
            "A record with value ${record.value()} was attempted twice on topic '${record.topic()}': the history tells records " +
                "apart by topic and value, so give each record a value no other record of its topic has (a sequence number, say)"
        }
        return attempt
    }

    /**
     * Sends [record] with [send] (`{ producer.send(it) }`) and records the outcome: the metadata, the
     * exception (rethrown), or, when the calling coroutine is cancelled, an unknown outcome (rethrown).
     * Suspends while [send] does.
     *
     * @throws IllegalArgumentException when a record with the same topic and value was attempted before.
     */
    @JvmSynthetic
    public suspend fun <K, V> send(
        record: ProducerRecord<K, V>,
        send: suspend (ProducerRecord<K, V>) -> RecordMetadata,
    ): RecordMetadata {
        val attempt = attempt(record) as Attempt
        return try {
            send(record).also { attempt.onCompletion(it, null) }
        } catch (e: CancellationException) {
            attempt.unknown()
            throw e
        } catch (e: Exception) {
            attempt.onCompletion(null, e)
            throw e
        }
    }

    /**
     * Java form of [send]: sends [record] with [send] (`r -> producer.sendAsync(r)`) and returns its
     * future, whose outcome the history records; a cancelled future leaves the outcome unknown. Does not block.
     *
     * @throws IllegalArgumentException when a record with the same topic and value was attempted before.
     */
    public fun <K, V> sendAsync(
        record: ProducerRecord<K, V>,
        send: Function<ProducerRecord<K, V>, CompletableFuture<RecordMetadata>>,
    ): CompletableFuture<RecordMetadata> {
        val attempt = attempt(record) as Attempt
        val future =
            try {
                send.apply(record)
            } catch (e: Exception) {
                attempt.onCompletion(null, e)
                throw e
            }
        return future.whenComplete { metadata, failure ->
            val cause = (failure as? java.util.concurrent.CompletionException)?.cause ?: failure
            when (cause) {
                null -> attempt.onCompletion(metadata, null)
                is java.util.concurrent.CancellationException -> attempt.unknown()
                is Exception -> attempt.onCompletion(null, cause)
                else -> attempt.onCompletion(null, RuntimeException(cause))
            }
        }
    }

    /** How many records were attempted so far. */
    public fun size(): Int = attempts.size

    /**
     * Compares this history with [onTopic], every record read back from the topics it sent to (read them
     * after the producer has flushed or closed; with transactions, read committed). See [HistoryCheck] for
     * what counts as a violation. With [nemesis], a failure's description names its seed and schedule.
     * Does not block.
     */
    @JvmOverloads
    public fun check(
        onTopic: List<ConsumerRecord<*, *>>,
        nemesis: Nemesis? = null,
    ): HistoryCheck = HistoryChecker(attempts.values.sortedBy { it.sequence }, onTopic, nemesis).check()

    /** Names the count only: values may be large or secret. */
    override fun toString(): String = "SendHistory(attempted=${attempts.size})"

    /** A record's identity in the history: its topic and its value, compared by content. */
    internal data class Identity(
        val topic: String,
        val value: Any?,
    )

    /** One attempted record and what the producer told about it. */
    internal class Attempt(
        val sequence: Long,
        val topic: String,
        val key: Any?,
        val value: Any?,
    ) : Callback {
        /** A [RecordMetadata], an [Exception], [UNKNOWN], or null while unanswered. */
        @Volatile var outcome: Any? = null
            private set

        override fun onCompletion(
            metadata: RecordMetadata?,
            exception: Exception?,
        ) {
            outcome = exception ?: metadata ?: IllegalStateException("the callback got neither metadata nor an exception")
        }

        fun unknown() {
            outcome = UNKNOWN
        }
    }

    internal companion object {
        /** The outcome of a record whose caller stopped waiting: it may or may not have been written. */
        val UNKNOWN = Any()

        /** Strings and byte arrays as their bytes (compared by content); anything else as itself. */
        fun comparable(value: Any?): Any? =
            when (value) {
                is ByteArray -> ByteBuffer.wrap(value)
                is String -> ByteBuffer.wrap(value.toByteArray(Charsets.UTF_8))
                else -> value
            }
    }
}
