package io.github.kproducer.dsl.internal.tx

import io.github.kproducer.dsl.InternalForInheritanceKProducerApi
import io.github.kproducer.dsl.KTransaction
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.lifecycle.JavaCalls
import io.github.kproducer.dsl.internal.lifecycle.ProducerClosing
import io.github.kproducer.dsl.internal.lifecycle.ProducerState
import io.github.kproducer.dsl.internal.send.Batches
import io.github.kproducer.dsl.internal.send.SendPipeline
import io.github.kproducer.dsl.internal.send.SingleSends
import io.github.kproducer.dsl.internal.send.ThreadHeaders
import io.github.kproducer.dsl.internal.send.interruptible
import io.github.kproducer.dsl.isFatal
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.asContextElement
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata
import org.apache.kafka.clients.consumer.OffsetAndMetadata
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.TimeoutException
import org.slf4j.LoggerFactory
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.coroutineContext

/**
 * Runs `transaction { }` blocks of one producer: one at a time behind a fair lock, so they queue in
 * call order and never interleave; `initTransactions` on first use; commit on success and abort on
 * any exception, both under [NonCancellable].
 *
 * What each kind of Kafka 4 transaction error (KIP-1050) makes the DSL do:
 * - **Retriable** (`TimeoutException` from `initTransactions`, `commitTransaction`,
 *   `abortTransaction`; the coordinator did not answer within `max.block.ms`): the call is thrown
 *   as Kafka's `TimeoutException`, explained. Kafka allows nothing but the same call again until it
 *   completes, so the DSL remembers it and repeats it at the start of the next `transaction { }`: a
 *   producer whose coordinator was away longer than `max.block.ms` recovers by itself once it is
 *   back. Until then each new `transaction { }` fails fast with the same explained timeout and
 *   starts nothing. A commit that timed out has an unknown outcome until its retry answers; the
 *   retry's outcome is logged.
 * - **Abortable** (`TransactionAbortableException`, a failed record, `CommitFailedException`,
 *   most others): the transaction is aborted and the exception rethrown; the producer goes on.
 * - **Application-recoverable and fatal** (fenced by a newer instance, invalid producer epoch,
 *   transactional id or cluster authorization, unsupported version: see [isFatal]): the producer is
 *   closed and the exception rethrown; later calls name it. Create a new producer.
 *
 * A record of the transaction that failed before it reached Kafka (its wait for metadata or buffer
 * ran out) makes the commit fail too: Kafka never saw that record, so it would otherwise commit
 * without it.
 */
internal class Transactions<K, V>(
    /** Kafka's producer, for the transactional calls. */
    private val producer: Producer<K, V>,
    /** Where the block's records go, as any other send's. */
    private val pipeline: SendPipeline<K, V>,
    private val state: ProducerState,
    /** Closes the producer after an error fatal to it. */
    private val closing: ProducerClosing,
    /** Runs the Java forms of the block's suspending calls. */
    private val javaCalls: JavaCalls,
    /** How messages name what the caller wrote. */
    private val wording: Wording,
) {
    private val sends = SingleSends(pipeline, state)
    private val batches = Batches(pipeline, state)
    private val lock = Mutex()

    @Volatile private var initialized = false

    /** A commit or abort that timed out: Kafka requires this same call again before anything else. */
    @Volatile private var unfinished: Completion? = null

    private enum class Completion(
        val call: String,
    ) {
        COMMIT("commitTransaction"),
        ABORT("abortTransaction"),
    }

    /** Marks a coroutine that is inside a transaction of [owner], to refuse nesting (the lock is not reentrant). */
    private class Open(
        val owner: Transactions<*, *>,
    ) : AbstractCoroutineContextElement(Open) {
        companion object Key : CoroutineContext.Key<Open>
    }

    /**
     * Refuses, with `IllegalStateException`, a transaction begun by [call] inside a transaction block of
     * this producer on the calling thread: it would wait for the lock the open block holds, and the
     * block for it. The message names [call] as the caller wrote it.
     */
    fun checkNotNested(call: String) {
        check(openOnThread.get() !== this) {
            "$call cannot be nested in a transaction of the same producer: the open transaction holds it until its block ends, " +
                "so the nested one would wait forever. Send through the transaction your block got (tx.sendAsync(...), " +
                "tx.sendAllAsync(...), or its send in Kotlin), which is the open transaction."
        }
    }

    suspend fun <T> run(block: suspend KTransaction<K, V>.() -> T): T {
        state.checkOpen()
        check(coroutineContext[Open]?.owner !== this && openOnThread.get() !== this) {
            "transaction { } cannot be nested on the same producer: send through the receiver of the transaction that is already open"
        }
        return lock.withLock {
            state.checkOpen()
            finishUnfinished()
            guarded {
                if (!initialized) {
                    initTransactions()
                    initialized = true
                }
                producer.beginTransaction()
            }
            pipeline.beginTransaction()
            val transaction = Scope()
            try {
                // The thread mark reaches the Java forms, which cannot read the coroutine's context.
                val result = withContext(Open(this) + openOnThread.asContextElement(this)) { transaction.block() }
                transaction.active = false
                withContext(NonCancellable) { commit() }
                result
            } catch (e: Throwable) {
                transaction.active = false
                throw withContext(NonCancellable) { abortAfter(e) }
            }
        }
    }

    private suspend fun initTransactions() {
        try {
            blocking { producer.initTransactions() }
        } catch (e: IllegalStateException) {
            if (e.message?.contains("non-transactional") != true) throw e
            val call = if (wording == Wording.KOTLIN) "transaction { } needs" else "inTransaction and transactionAsync need"
            val sends = if (wording == Wording.KOTLIN) "send/sendAll" else "sendAsync/offer/sendAllAsync"
            throw IllegalStateException(
                "$call a transactional producer: set ${wording.assign("transactionalId", "\"...\"")} (unique per producer " +
                    "instance) when building it; sends that need no transaction go through $sends instead",
                e,
            )
        } catch (e: TimeoutException) {
            // Kafka caches the pending initialization; the next transaction { } retries it.
            throw TimeoutException(
                "${e.message} The transaction coordinator did not answer within maxBlock; nothing was started. The next " +
                    "transaction { } on this producer tries again.",
                e,
            )
        }
    }

    /** Runs [action]; a failure fatal to the producer closes it before it is rethrown. */
    private suspend inline fun <T> guarded(action: () -> T): T =
        try {
            action()
        } catch (e: Exception) {
            if (e.isFatalToProducer()) closing.closeAfterFatal(e)
            throw e
        }

    private suspend fun commit() {
        // Records still queued in a lane belong to this transaction: let them reach Kafka (or fail) first.
        pipeline.awaitQueued()
        pipeline.failureBeforeKafka()?.let {
            throw KafkaException(
                "A record of this transaction failed before it reached Kafka, so the transaction is aborted instead of " +
                    "committed without it: $it",
                it,
            )
        }
        guarded {
            try {
                blocking { producer.commitTransaction() }
            } catch (e: TimeoutException) {
                unfinished = Completion.COMMIT
                throw TimeoutException(
                    "${e.message} The transaction coordinator did not confirm the commit within maxBlock, so whether this " +
                        "transaction committed is not known yet. Kafka allows only retrying the commit: kproducer does so at the " +
                        "start of the next transaction { } on this producer and logs the outcome (or close the producer).",
                    e,
                )
            }
        }
    }

    /**
     * Aborts after [cause] and returns what to throw: [cause] itself, or, when the abort reveals that
     * the producer cannot go on (fenced, say), that fatal error, with [cause] suppressed in it: the
     * caller must learn that retrying on this producer is pointless.
     */
    private suspend fun abortAfter(cause: Throwable): Throwable {
        if (state.isClosed) return cause
        if (cause is Exception && cause.isFatalToProducer()) {
            closing.closeAfterFatal(cause)
            return cause
        }
        // A commit that timed out may only be retried, never aborted; the next transaction { } retries it.
        if (unfinished == Completion.COMMIT) return cause
        return try {
            pipeline.awaitQueued()
            blocking { producer.abortTransaction() }
            cause
        } catch (e: TimeoutException) {
            unfinished = Completion.ABORT
            cause.also {
                it.addSuppressed(
                    TimeoutException("${e.message} The abort did not complete within maxBlock; the next transaction { } retries it.", e),
                )
            }
        } catch (e: Exception) {
            if (e.isFatalToProducer()) {
                closing.closeAfterFatal(e)
                e.also { it.addSuppressed(cause) }
            } else {
                cause.also { it.addSuppressed(e) }
            }
        }
    }

    /**
     * Repeats a commit or abort that timed out earlier, as Kafka requires before any other
     * transactional call. A commit that turns out to have failed is aborted, so that the producer can
     * go on.
     *
     * @throws TimeoutException when the coordinator still does not answer within `max.block.ms`.
     */
    private suspend fun finishUnfinished() {
        val pending = unfinished ?: return
        guarded {
            try {
                blocking { if (pending == Completion.COMMIT) producer.commitTransaction() else producer.abortTransaction() }
                unfinished = null
                log.info("kproducer: the {} that timed out earlier has now completed", pending.call)
            } catch (e: TimeoutException) {
                throw TimeoutException(
                    "The previous transaction's ${pending.call} timed out and has still not completed: ${e.message} Kafka allows no " +
                        "other transactional call until it does; kproducer retries it at the start of each transaction { } (or close " +
                        "this producer).",
                    e,
                )
            } catch (e: KafkaException) {
                if (e.isFatalToProducer() || pending == Completion.ABORT) throw e
                // The commit failed after all (the coordinator aborted the transaction, say): abort to go on.
                log.warn("kproducer: the transaction whose commit timed out earlier did not commit: {}", e.toString())
                unfinished = Completion.ABORT
                try {
                    blocking { producer.abortTransaction() }
                    unfinished = null
                } catch (timeout: TimeoutException) {
                    throw TimeoutException("The abort of the previous transaction timed out: ${timeout.message}", timeout)
                }
            }
        }
    }

    private suspend fun <T> blocking(call: () -> T): T = withContext(Dispatchers.IO) { interruptible(call) }

    /** The receiver of one `transaction { }` block; refuses use after the block. */
    @OptIn(InternalForInheritanceKProducerApi::class)
    private inner class Scope : KTransaction<K, V> {
        @Volatile var active = true

        private fun checkActive() {
            check(active) { "This transaction is over: a KTransaction is valid only inside its transaction { } block" }
        }

        override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata {
            checkActive()
            return sends.send(record)
        }

        override suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
            checkActive()
            return batches.sendAll(records)
        }

        override fun sendAllAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<RecordMetadata>> {
            checkActive()
            // Undispatched: the records are handed over on the caller's thread until the window is full.
            return javaCalls.future(ThreadHeaders.asCoroutineContext(), start = CoroutineStart.UNDISPATCHED) { batches.sendAll(records) }
        }

        override fun offer(record: ProducerRecord<K, V>) {
            checkActive()
            sends.offer(record, inTransaction = true)
        }

        override fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
            checkActive()
            return sends.sendAsync(record)
        }

        override suspend fun sendOffsets(
            offsets: Map<TopicPartition, OffsetAndMetadata>,
            groupMetadata: ConsumerGroupMetadata,
        ) {
            checkActive()
            guarded { blocking { producer.sendOffsetsToTransaction(offsets, groupMetadata) } }
        }

        override fun sendOffsetsAsync(
            offsets: Map<TopicPartition, OffsetAndMetadata>,
            groupMetadata: ConsumerGroupMetadata,
        ): CompletableFuture<Void?> {
            checkActive()
            return javaCalls.future {
                sendOffsets(offsets, groupMetadata)
                null
            }
        }
    }

    private companion object {
        private val log = LoggerFactory.getLogger("io.github.kproducer.dsl.KProducer")!!

        /** The producer whose transaction block runs on this thread, set while the block's coroutine runs here. */
        private val openOnThread = ThreadLocal<Transactions<*, *>?>()

        /** Fatal in itself, or Kafka's "error state" wrapper around a fatal error. */
        private fun Throwable.isFatalToProducer(): Boolean = isFatal || (this is KafkaException && cause?.isFatal == true)
    }
}
