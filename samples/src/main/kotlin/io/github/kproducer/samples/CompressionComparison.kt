package io.github.kproducer.samples

import io.github.kproducer.dsl.Compression
import io.github.kproducer.dsl.kafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import kotlin.random.Random

/**
 * Study notes 002 and 004: the same log-like data sent with each codec (none, gzip, snappy, lz4, zstd)
 * and a table of bytes on the wire (the client's `outgoing-byte-total`), the ratio to no compression,
 * and records per second. Compression works per batch, so 64 KiB batches and 20 ms linger are used
 * for all.
 */
internal object CompressionComparison : Sample(name = "compression", title = "Bytes on the wire and records/s per compression codec", notes = "002, 004") {
    class Row(
        val codec: Compression,
        val bytesOnWire: Long,
        val recordsPerSecond: Double,
    )

    override suspend fun run(env: SampleEnvironment) {
        compare(env)
    }

    suspend fun compare(env: SampleEnvironment): List<Row> {
        val count = env.scaled(50_000)
        val random = Random(42)
        val pages = listOf("/home", "/search", "/cart", "/checkout", "/product/1234", "/product/5678")
        val records =
            (0 until count).map {
                val user = random.nextInt(5_000)
                """{"ts":${1_700_000_000_000 + it},"user":"user-$user","page":"${pages[
                    random.nextInt(
                        pages.size,
                    ),
                ]}","agent":"Mozilla/5.0 (X11; Linux x86_64)","status":200}"""
            }
        val rows =
            Compression.entries.map { codec ->
                val topic = "compression-${codec.kafkaValue}"
                env.createTopic(topic, partitions = 3)
                val progress = env.progress(codec.kafkaValue.padEnd(6))
                kafkaProducer<String, String> {
                    bootstrapServers = env.bootstrapServers
                    compression = codec
                    batchSize = 64 * 1024
                    linger = kotlin.time.Duration.parse("20ms")
                }.use { producer ->
                    var done = 0L
                    records.chunked(maxOf(1, count / 20)).forEach { chunk ->
                        producer.sendAll(chunk.map { ProducerRecord(topic, it) })
                        done += chunk.size
                        progress.update(done, count.toLong())
                    }
                    val bytes =
                        producer.producer
                            .metrics()
                            .entries
                            .first { it.key.name() == "outgoing-byte-total" && it.key.group() == "producer-metrics" }
                            .value
                            .metricValue() as Double
                    Row(codec, bytes.toLong(), count / progress.elapsedSeconds())
                }
            }
        val none = rows.first { it.codec == Compression.NONE }.bytesOnWire.toDouble()
        env.println("%-8s %14s %7s %12s".format("codec", "bytes on wire", "ratio", "records/s"))
        rows.forEach { env.println("%-8s %,14d %7.2f %,12.0f".format(it.codec.kafkaValue, it.bytesOnWire, it.bytesOnWire / none, it.recordsPerSecond)) }
        return rows
    }
}
