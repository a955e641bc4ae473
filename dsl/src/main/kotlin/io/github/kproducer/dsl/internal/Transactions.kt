package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.KTransaction
import io.github.kproducer.dsl.isFatal
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.future.future
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.TimeoutException
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.coroutineContext

/**
 * Runs `transaction { }` blocks of one producer: one at a time behind a fair lock, so they queue in
 * call order and never interleave; `initTransactions` on first use; commit on success and abort on
 * any exception, both under [NonCancellable]; a fatal error closes the producer.
 */
internal class Transactions<K, V>(
    private val producer: DefaultKProducer<K, V>,
) {
    private val lock = Mutex()

    @Volatile private var initialized = false

    /** Marks a coroutine that is inside a transaction of [owner], to refuse nesting (the lock is not reentrant). */
    private class Open(
        val owner: Transactions<*, *>,
    ) : AbstractCoroutineContextElement(Open) {
        companion object Key : CoroutineContext.Key<Open>
    }

    suspend fun <T> run(block: suspend KTransaction<K, V>.() -> T): T {
        producer.checkOpen()
        check(coroutineContext[Open]?.owner !== this) {
            "transaction { } cannot be nested on the same producer: send through the receiver of the transaction that is already open"
        }
        return lock.withLock {
            producer.checkOpen()
            guarded {
                if (!initialized) {
                    try {
                        blocking { producer.producer.initTransactions() }
                    } catch (e: IllegalStateException) {
                        if (e.message?.contains("non-transactional") != true) throw e
                        throw IllegalStateException(
                            "transaction { } needs a transactional producer: set transactionalId = \"...\" (unique per producer " +
                                "instance) when building it; sends that need no transaction go through send/sendAll instead",
                            e,
                        )
                    }
                    initialized = true
                }
                producer.producer.beginTransaction()
            }
            val transaction = Scope()
            try {
                val result = withContext(Open(this)) { transaction.block() }
                transaction.active = false
                withContext(NonCancellable) { commit() }
                result
            } catch (e: Throwable) {
                transaction.active = false
                throw withContext(NonCancellable) { abortAfter(e) }
            }
        }
    }

    /** Runs [action]; a fatal failure closes the producer before it is rethrown. */
    private inline fun <T> guarded(action: () -> T): T =
        try {
            action()
        } catch (e: Exception) {
            if (e.isFatal) producer.closeAfterFatal(e)
            throw e
        }

    private suspend fun commit() {
        // Records still queued in a lane belong to this transaction: let them reach Kafka first.
        producer.awaitLanes()
        guarded {
            try {
                blocking { producer.producer.commitTransaction() }
            } catch (e: TimeoutException) {
                // Kafka allows retrying a commit that timed out; the outcome is unknown until it answers.
                blocking { producer.producer.commitTransaction() }
            }
        }
    }

    /**
     * Aborts after [cause] and returns what to throw: [cause] itself, or, when the abort reveals that
     * the producer cannot go on (fenced, say), that fatal error, with [cause] suppressed in it: the
     * caller must learn that retrying on this producer is pointless.
     */
    private suspend fun abortAfter(cause: Throwable): Throwable {
        if (producer.isClosed) return cause
        if (cause is Exception && cause.isFatal) {
            producer.closeAfterFatal(cause)
            return cause
        }
        return try {
            producer.awaitLanes()
            blocking { producer.producer.abortTransaction() }
            cause
        } catch (e: Exception) {
            if (e.isFatal) {
                producer.closeAfterFatal(e)
                e.also { it.addSuppressed(cause) }
            } else {
                cause.also { it.addSuppressed(e) }
            }
        }
    }

    private suspend fun <T> blocking(call: () -> T): T = withContext(Dispatchers.IO) { interruptible(call) }

    /** The receiver of one `transaction { }` block; refuses use after the block. */
    private inner class Scope : KTransaction<K, V> {
        @Volatile var active = true

        private fun checkActive() {
            check(active) { "This transaction is over: a KTransaction is valid only inside its transaction { } block" }
        }

        override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata {
            checkActive()
            return producer.sendRecord(record)
        }

        override suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
            checkActive()
            return producer.sendAllRecords(records)
        }

        override fun offer(record: ProducerRecord<K, V>) {
            checkActive()
            producer.offerRecord(record, inTransaction = true)
        }

        override fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
            checkActive()
            return producer.sendRecordAsync(record)
        }

        override suspend fun sendOffsets(
            offsets: Map<TopicPartition, OffsetAndMetadata>,
            groupMetadata: ConsumerGroupMetadata,
        ) {
            checkActive()
            guarded { blocking { producer.producer.sendOffsetsToTransaction(offsets, groupMetadata) } }
        }

        override fun sendOffsetsAsync(
            offsets: Map<TopicPartition, OffsetAndMetadata>,
            groupMetadata: ConsumerGroupMetadata,
        ): CompletableFuture<Void?> {
            checkActive()
            return producer.scope.future {
                sendOffsets(offsets, groupMetadata)
                null
            }
        }
    }
}
