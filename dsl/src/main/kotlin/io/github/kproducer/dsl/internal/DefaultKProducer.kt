package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.InternalForInheritanceKProducerApi
import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KTransaction
import io.github.kproducer.dsl.ProducerMetrics
import io.github.kproducer.dsl.SendResult
import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.lifecycle.JavaCalls
import io.github.kproducer.dsl.internal.lifecycle.ProducerClosing
import io.github.kproducer.dsl.internal.lifecycle.ProducerState
import io.github.kproducer.dsl.internal.send.Batches
import io.github.kproducer.dsl.internal.send.ClientProbe
import io.github.kproducer.dsl.internal.send.SendPipeline
import io.github.kproducer.dsl.internal.send.SendWatchdog
import io.github.kproducer.dsl.internal.send.SingleSends
import io.github.kproducer.dsl.internal.send.ThreadHeaders
import io.github.kproducer.dsl.internal.tx.Transactions
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runBlocking
import org.apache.kafka.clients.producer.Producer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * The [KProducer] over a Kafka [Producer]: the contract's checks, then delegation. See [KProducer] for
 * the contract. Every record travels through the [SendPipeline]: one record at a time through
 * [SingleSends], many through [Batches], a transaction's through [Transactions]. Whether the producer
 * is open is [ProducerState]'s; closing is [ProducerClosing]'s; the Java forms of the suspending calls
 * run in [JavaCalls].
 *
 * The one check only the facade makes: a transactional producer sends inside transactions only.
 */
@OptIn(InternalForInheritanceKProducerApi::class)
internal class DefaultKProducer<K, V>(
    override val producer: Producer<K, V>,
    private val behaviour: ProducerBehaviour<K, V>,
    private val bootstrapServers: String?,
    probe: ClientProbe,
    /** Sends outside `transaction { }` are refused: on a transactional producer they would join whatever transaction is open. */
    private val transactional: Boolean,
    /** How messages name what the caller wrote: built or wrapped from Java, they name the Java forms. */
    private val wording: Wording = Wording.KOTLIN,
) : KProducer<K, V> {
    private val state = ProducerState()

    /** Where every record goes; visible to tests that look at the lanes. */
    val pipeline = SendPipeline(producer, behaviour, bootstrapServers, probe)

    /** The coroutines behind the Java forms; visible to tests that count them. */
    val javaCalls = JavaCalls()
    private val closing = ProducerClosing(state, pipeline, producer, javaCalls)
    private val sends = SingleSends(pipeline, state)
    private val batches = Batches(pipeline, state)
    private val transactions = Transactions(producer, pipeline, state, closing, javaCalls, wording)

    init {
        // Released by the close sequence.
        SendWatchdog.retain()
    }

    override val isClosed: Boolean get() = state.isClosed

    // ---- single records ----

    override suspend fun send(record: ProducerRecord<K, V>): RecordMetadata {
        checkOutsideTransaction()
        return sends.send(record)
    }

    override fun sendAsync(record: ProducerRecord<K, V>): CompletableFuture<RecordMetadata> {
        checkOutsideTransaction()
        return sends.sendAsync(record)
    }

    override fun offer(record: ProducerRecord<K, V>) {
        checkOutsideTransaction()
        sends.offer(record)
    }

    // ---- batches ----

    override suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        checkOutsideTransaction()
        return batches.sendAll(records)
    }

    override suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>> {
        checkOutsideTransaction()
        return batches.sendAllSettled(records)
    }

    override fun sendAll(records: Flow<ProducerRecord<K, V>>): Flow<RecordMetadata> = batches.flow(records, ::checkOutsideTransaction)

    override fun sendAllSettled(records: Flow<ProducerRecord<K, V>>): Flow<SendResult<K, V>> = batches.settledFlow(records, ::checkOutsideTransaction)

    override fun sendAllAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<RecordMetadata>> {
        checkOutsideTransaction()
        state.checkOpen()
        // The batch runs in a coroutine: the caller's thread scope goes with it as its HeadersContext.
        return javaCalls.future(ThreadHeaders.asCoroutineContext()) { batches.sendAll(records) }
    }

    override fun sendAllSettledAsync(records: Iterable<ProducerRecord<K, V>>): CompletableFuture<List<SendResult<K, V>>> {
        checkOutsideTransaction()
        state.checkOpen()
        return javaCalls.future(ThreadHeaders.asCoroutineContext()) { batches.sendAllSettled(records) }
    }

    // ---- transactions ----

    override suspend fun <T> transaction(block: suspend KTransaction<K, V>.() -> T): T = transactions.run(block)

    override fun <T> transactionAsync(block: java.util.function.Function<KTransaction<K, V>, CompletableFuture<T>>): CompletableFuture<T> {
        state.checkOpen()
        transactions.checkNotNested("transactionAsync")
        // The block runs on another thread, with the scope that was open on the caller's.
        val headers = ThreadHeaders.entries()
        return javaCalls.future { transactions.run { ThreadHeaders.with(headers) { block.apply(this) }.await() } }
    }

    override fun <T> inTransaction(block: java.util.function.Function<KTransaction<K, V>, T>): T {
        state.checkOpen()
        transactions.checkNotNested("inTransaction")
        // The block runs on the caller's thread, inside the transaction; the Kafka calls go to Dispatchers.IO.
        return runBlocking { transactions.run { block.apply(this) } }
    }

    // ---- flush, close, metrics ----

    override suspend fun flush() {
        state.checkOpen()
        pipeline.flush()
    }

    override fun flushAsync(): CompletableFuture<Void?> {
        state.checkOpen()
        return javaCalls.future {
            flush()
            null
        }
    }

    override fun close(timeout: Duration) {
        require(!timeout.isNegative()) { "close timeout must not be negative, was $timeout" }
        closing.close(timeout, awaitJavaCalls = true)
    }

    override fun close(timeout: java.time.Duration) {
        close(timeout.toKotlinDuration())
    }

    override fun close() {
        close(behaviour.closeTimeout)
    }

    override fun metrics(): ProducerMetrics = pipeline.metrics()

    /** Names the cluster and state only: no setting values, so no secret can show. */
    override fun toString(): String =
        "KProducer(bootstrapServers=${bootstrapServers ?: "unknown (wrapped producer)"}, transactional=$transactional, closed=$isClosed)"

    private fun checkOutsideTransaction() {
        check(!transactional) {
            "This producer is transactional (transactionalId is set): send inside ${wording.transaction}, " +
                "or build a producer without transactionalId for sends outside transactions"
        }
    }
}
