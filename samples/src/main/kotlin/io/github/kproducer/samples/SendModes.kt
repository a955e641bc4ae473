package io.github.kproducer.samples

import io.github.kproducer.dsl.KProducerConfigException
import io.github.kproducer.dsl.kafkaProducer
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import kotlin.time.measureTime

/**
 * Study notes 000 and 001: the three ways to send (fire-and-forget, synchronous, asynchronous) with
 * the `CustomerCountry` records, note 001's `WORLD` to `test`, what a missing required setting does,
 * and why a synchronous send per record is slow.
 */
internal object SendModes : Sample(name = "send-modes", title = "Fire-and-forget, synchronous and asynchronous sends", notes = "000, 001") {
    class Result(
        val synchronous: RecordMetadata,
        val asynchronous: RecordMetadata,
        val world: RecordMetadata,
        val missingSettingError: String,
        val syncMillisPerRecord: Double,
        val asyncMillisPerRecord: Double,
    )

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        env.createTopic("CustomerCountry", partitions = 3)
        env.createTopic("test")
        kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
            // Fire-and-forget: nothing to wait for; a failure would reach the onError handler (logged by default).
            producer.offer("CustomerCountry", "Precision Products", "France")
            env.println("Fire-and-forget: handed over, not waited for")

            // Synchronous: suspend until the broker acknowledges; a failure would be thrown here.
            val synchronous = producer.send("CustomerCountry", "Precision Products", "France")
            env.println("Synchronous: sent to ${synchronous.topic()} [${synchronous.partition()}] offset=${synchronous.offset()}")

            // Asynchronous: the send runs on its own coroutine while this one goes on.
            val asynchronous =
                coroutineScope {
                    val pending = async { producer.send("CustomerCountry", "Biomedical Materials", "USA") }
                    env.println("Asynchronous: sent, doing other work meanwhile...")
                    pending.await()
                }
            env.println("Asynchronous: sent - ${asynchronous.topic()} [${asynchronous.partition()}] offset=${asynchronous.offset()}")

            // Note 001: the plain "WORLD" to topic "test", then flush and close (close happens at the end of `use`).
            val world = producer.send(ProducerRecord("test", "WORLD"))
            producer.flush()
            env.println("WORLD sent to test, offset ${world.offset()}")

            // Note 001: waiting for each record costs a round trip (plus linger) per record; awaiting them together does not.
            val count = env.scaled(100)
            val sync = measureTime { repeat(count) { producer.send("test", null, "sync-$it") } }
            val async = measureTime { producer.sendAll((0 until count).map { ProducerRecord("test", "async-$it") }) }
            val syncPer = sync.inWholeMicroseconds / 1000.0 / count
            val asyncPer = async.inWholeMicroseconds / 1000.0 / count
            env.println("%d records one at a time: %.2f ms per record; all in flight together: %.3f ms per record".format(count, syncPer, asyncPer))

            // Note 001: a missing required setting fails when the producer is built, naming the fix.
            val error =
                try {
                    kafkaProducer<String, String> { }
                    "no error"
                } catch (e: KProducerConfigException) {
                    e.message!!
                }
            env.println("A producer without bootstrap servers: $error")
            return Result(synchronous, asynchronous, world, error, syncPer, asyncPer)
        }
    }
}
