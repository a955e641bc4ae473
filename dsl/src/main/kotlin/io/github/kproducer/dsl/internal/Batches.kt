package io.github.kproducer.dsl.internal

import io.github.kproducer.dsl.SendResult
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Semaphore
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference
import java.util.concurrent.atomic.AtomicReferenceArray

/**
 * `sendAll` and the sending flows: records are handed to Kafka strictly in input order (so each
 * partition receives them in that order) while their acknowledgements are awaited together. At
 * most `maxInFlightRecords` are handed over and unsettled at a time; beyond that the sender
 * suspends, and Kafka's buffer, when full, makes the record wait in its lane, never on a thread of
 * the caller.
 */
internal class Batches<K, V>(
    private val producer: DefaultKProducer<K, V>,
) {
    private val maxInFlight get() = producer.behaviour.maxInFlightRecords

    suspend fun sendAll(records: Iterable<ProducerRecord<K, V>>): List<RecordMetadata> {
        val list = records.toList()
        val outcome = run(list, failFast = true)
        outcome.failure.get()?.let { throw it }
        return List(list.size) { outcome.results[it] as RecordMetadata }
    }

    suspend fun sendAllSettled(records: Iterable<ProducerRecord<K, V>>): List<SendResult<K, V>> {
        val list = records.toList()
        val outcome = run(list, failFast = false)
        return List(list.size) { i ->
            when (val result = outcome.results[i]) {
                is RecordMetadata -> SendResult(list[i], result, null)
                else -> SendResult(list[i], null, result as Exception)
            }
        }
    }

    private class Outcome(
        size: Int,
    ) {
        /** Per input index: the metadata, or the exception. */
        val results = AtomicReferenceArray<Any?>(size)
        val failure = AtomicReference<Exception?>()
    }

    private suspend fun run(
        records: List<ProducerRecord<K, V>>,
        failFast: Boolean,
    ): Outcome {
        val outcome = Outcome(records.size)
        val permits = Semaphore(maxInFlight)
        // Unsettled hand-overs, plus one for the loop itself, so that `done` cannot complete early.
        val unsettled = AtomicInteger(1)
        val done = CompletableDeferred<Unit>()

        fun settle(
            index: Int,
            result: Any,
        ) {
            outcome.results.set(index, result)
            if (result is Exception) outcome.failure.compareAndSet(null, result)
            permits.release()
            if (unsettled.decrementAndGet() == 0) done.complete(Unit)
        }
        try {
            for ((index, record) in records.withIndex()) {
                permits.acquire()
                // Checked after the wait for a permit: the failure may have come in meanwhile.
                if (failFast && outcome.failure.get() != null) {
                    permits.release()
                    break
                }
                unsettled.incrementAndGet()
                val callback = producer.callback(record) { metadata, exception -> settle(index, exception ?: metadata!!) }
                try {
                    producer.handOver(record, callback)
                } catch (e: Exception) {
                    settle(index, e)
                }
            }
        } finally {
            if (unsettled.decrementAndGet() == 0) done.complete(Unit)
        }
        done.await()
        return outcome
    }

    fun flow(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
    ): Flow<RecordMetadata> =
        pipeline(records, check) { _, result ->
            result.await()
        }

    fun settledFlow(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
    ): Flow<SendResult<K, V>> =
        pipeline(records, check) { record, result ->
            try {
                SendResult(record, result.await(), null)
            } catch (e: Exception) {
                SendResult(record, null, e)
            }
        }

    /**
     * Hands records over as they come and emits their outcomes in input order. The channel of
     * pending results bounds how many records are ahead of the collector.
     */
    private fun <T> pipeline(
        records: Flow<ProducerRecord<K, V>>,
        check: () -> Unit,
        outcome: suspend (ProducerRecord<K, V>, CompletableDeferred<RecordMetadata>) -> T,
    ): Flow<T> =
        flow {
            check()
            coroutineScope {
                val pending = Channel<Pair<ProducerRecord<K, V>, CompletableDeferred<RecordMetadata>>>(maxInFlight - 1)
                launch {
                    try {
                        records.collect { record ->
                            val result = CompletableDeferred<RecordMetadata>()
                            pending.send(record to result)
                            val callback =
                                producer.callback(record) { metadata, exception ->
                                    if (exception != null) result.completeExceptionally(exception) else result.complete(metadata!!)
                                }
                            try {
                                producer.handOver(record, callback)
                            } catch (e: Exception) {
                                result.completeExceptionally(e)
                            }
                        }
                    } finally {
                        pending.close()
                    }
                }
                for ((record, result) in pending) emit(outcome(record, result))
            }
        }
}
