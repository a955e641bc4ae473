package io.github.kproducer.bench

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.kafkaProducerSettings
import io.github.kproducer.testkit.awaitPartitionsServing
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.admin.NewTopic
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.ByteArraySerializer
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * What the guard of new partitions (`FirstWriteGuard`) costs where it works: records sent to a topic
 * the producer has never written to. Each round creates two fresh 3-partition topics (waiting until they
 * serve), then sends [Result.records] keyless records to one with a raw `KafkaProducer` and to the other
 * with kproducer's `sendAll`, the order alternating; both producers are long-lived and connected, so
 * each round times the metadata fetch of the new topic plus the records, and kproducer also its first
 * write to each partition. Tuned settings (linger 5 ms). Round 0 warms up and is not counted.
 */
internal object FreshTopics {
    class Result(
        val records: Int,
        val rawMillis: Double,
        val kproducerMillis: Double,
        /** Median over rounds of kproducer's time less raw's in the same round. */
        val extraMillis: Double,
        val perRound: List<Pair<Double, Double>>,
    )

    fun measure(
        rounds: Int,
        records: Int,
        median: (List<Double>) -> Double,
    ): Result =
        RemoteBroker.start().use { broker ->
            val properties = Settings.TUNED.properties + (AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to broker.bootstrapServers)
            val settings =
                kafkaProducerSettings<ByteArray?, ByteArray> {
                    bootstrapServers = broker.bootstrapServers
                    Settings.TUNED.properties.forEach { (key, value) -> property(key, value) }
                    maxInFlightRecords = 100_000
                }
            val payload = ByteArray(Benchmarks.Plan.RECORD_BYTES)
            Admin.create(mapOf<String, Any>(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to broker.bootstrapServers)).use { admin ->
                KafkaProducer(properties, ByteArraySerializer(), ByteArraySerializer()).use { raw ->
                    KProducer(settings).use { kproducer ->
                        val times = ArrayList<Pair<Double, Double>>()
                        for (round in 0..rounds) {
                            val rawTopic = "fresh-raw-$round"
                            val kproducerTopic = "fresh-kproducer-$round"
                            admin.createTopics(listOf(NewTopic(rawTopic, 3, 1), NewTopic(kproducerTopic, 3, 1))).all().get(30, TimeUnit.SECONDS)
                            admin.awaitPartitionsServing(listOf(rawTopic, kproducerTopic))
                            val rawRun = { millis { sendRaw(raw, rawTopic, records, payload) } }
                            val kproducerRun = {
                                millis {
                                    runBlocking(
                                        Dispatchers.Default,
                                    ) { kproducer.sendAll(List(records) { ProducerRecord(kproducerTopic, null, payload) }) }
                                }
                            }
                            val pair = if (round % 2 == 0) rawRun() to kproducerRun() else kproducerRun().let { k -> rawRun() to k }
                            if (round > 0) times += pair
                        }
                        Result(
                            records,
                            median(times.map { it.first }),
                            median(times.map { it.second }),
                            median(times.map { it.second - it.first }),
                            times,
                        )
                    }
                }
            }
        }

    private fun sendRaw(
        producer: KafkaProducer<ByteArray?, ByteArray>,
        topic: String,
        records: Int,
        payload: ByteArray,
    ) {
        val done = CountDownLatch(records)
        repeat(records) { producer.send(ProducerRecord(topic, null, payload)) { _, _ -> done.countDown() } }
        check(done.await(60, TimeUnit.SECONDS)) { "the raw producer's records to $topic were not acknowledged within 60 s" }
    }

    private inline fun millis(block: () -> Unit): Double {
        val started = System.nanoTime()
        block()
        return (System.nanoTime() - started) / 1e6
    }
}
