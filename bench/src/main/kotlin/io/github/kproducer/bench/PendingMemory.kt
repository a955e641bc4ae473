package io.github.kproducer.bench

import io.github.kproducer.dsl.KProducer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.suspendCancellableCoroutine
import org.apache.kafka.clients.producer.Callback
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.TopicPartition
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Future
import kotlin.coroutines.resume

/**
 * The heap that records in flight through the coroutine-per-record pattern hold, beyond their own
 * bytes: [count] coroutines each `launch { send(record) }` on a producer that holds every callback
 * and completes none until all are pending, then the heap in use after a collection is compared with
 * the heap before. Once with kproducer's `send`, once with the bare pattern
 * (`suspendCancellableCoroutine` over `Producer.send`), so that what kproducer adds shows apart from
 * what a million coroutines cost by themselves. Kafka's own objects per record (its future and
 * callback holder) are not in it; neither is the record, which the caller built before.
 */
internal object PendingMemory {
    class Result(
        val kproducerBytes: Double,
        val bareBytes: Double,
    )

    fun measure(count: Int): Result {
        val records = List(count) { ProducerRecord<ByteArray?, ByteArray>("bench", null, ByteArray(100)) }
        // Twice each, the second figures kept: the first run of each warms up the code it runs.
        var kproducer = 0.0
        var bare = 0.0
        repeat(2) {
            bare = perPendingSend(records, useKProducer = false)
            kproducer = perPendingSend(records, useKProducer = true)
        }
        return Result(kproducer, bare)
    }

    private fun perPendingSend(
        records: List<ProducerRecord<ByteArray?, ByteArray>>,
        useKProducer: Boolean,
    ): Double {
        val held = ArrayList<Callback>(records.size)
        val producer = HoldingProducer(held)
        val metadata = RecordMetadata(TopicPartition("bench", 0), 0, 0, 0, 0, 100)
        val kproducer = KProducer.wrap(producer)
        try {
            runBlocking(Dispatchers.Default) {
                // One send completed first, so that kproducer knows the topic and sends directly.
                launch { kproducer.send(ProducerRecord("bench", null, ByteArray(1))) }
                while (producer.pending() < 1) delay(1)
                producer.completeAll(metadata)
                val before = usedHeap()
                var perSend = 0.0
                coroutineScope {
                    for (record in records) {
                        if (useKProducer) {
                            launch { kproducer.send(record) }
                        } else {
                            launch { suspendCancellableCoroutine<RecordMetadata> { c -> producer.send(record) { m, _ -> c.resume(m) } } }
                        }
                    }
                    while (producer.pending() < records.size) delay(10)
                    perSend = (usedHeap() - before).toDouble() / records.size
                    producer.completeAll(metadata)
                }
                perSend
            }.let { return it }
        } finally {
            kproducer.close()
        }
    }

    private fun usedHeap(): Long {
        repeat(3) { System.gc() }
        val runtime = Runtime.getRuntime()
        return runtime.totalMemory() - runtime.freeMemory()
    }

    /** Holds every callback until [completeAll]; its futures never complete. */
    private class HoldingProducer(
        private val held: ArrayList<Callback>,
    ) : InlineProducer() {
        private val never = CompletableFuture<RecordMetadata>()

        fun pending(): Int = synchronized(held) { held.size }

        fun completeAll(metadata: RecordMetadata) {
            val all = synchronized(held) { held.toList().also { held.clear() } }
            all.forEach { it.onCompletion(metadata, null) }
        }

        override fun send(
            record: ProducerRecord<ByteArray?, ByteArray>,
            callback: Callback?,
        ): Future<RecordMetadata> {
            synchronized(held) { held.add(callback!!) }
            return never
        }
    }
}
