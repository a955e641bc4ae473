package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.admin.NewTopic
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * KAFKA-15591 as users meet it, without the fault proxy: a topic created with a plain Admin call and
 * produced to at once. The controller names a partition's leader before that broker has opened the
 * partition, and on a loaded machine the first Produce request sometimes arrives in between and gets
 * `NOT_LEADER_OR_FOLLOWER`. The DSL must lose nothing and keep order however often that happens; a raw
 * `KafkaProducer` beside it shows how often the race struck.
 */
class FreshTopicRaceSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("50 topics, each produced to as soon as Admin created it, with two busy loops: every record once and in order") {
            val rawLost = AtomicInteger()
            var topicsWithRawLoss = 0
            withBusyLoops(2) {
                kafka.admin().use { admin ->
                    kafkaProducer<String, String> {
                        bootstrapServers = kafka.bootstrapServers
                        clientId = "race-dsl"
                        linger = 0.milliseconds
                        batchSize = 2048
                    }.use { producer ->
                        KafkaProducer(rawSettings(kafka.bootstrapServers), StringSerializer(), StringSerializer()).use { raw ->
                            repeat(ROUNDS) { round ->
                                val topic = "race-$round"
                                val rawTopic = "race-raw-$round"
                                admin.createTopics(listOf(NewTopic(topic, PARTITIONS, 1), NewTopic(rawTopic, PARTITIONS, 1))).all().get(30, TimeUnit.SECONDS)
                                val lostBefore = rawLost.get()
                                for (i in 0 until RECORDS) raw.send(ProducerRecord(rawTopic, null, "$i")) { _, e -> if (e != null) rawLost.incrementAndGet() }
                                withTimeout(1.minutes) { producer.sendAll((0 until RECORDS).map { ProducerRecord(topic, null, "$it") }) }
                                raw.flush()
                                if (rawLost.get() > lostBefore) topicsWithRawLoss++
                                kafka.readAllStrings(topic, timeout = 60.seconds).shouldBeOnceInOrder()
                            }
                        }
                    }
                }
            }
            println(
                "[figures] fresh topic race: $ROUNDS topics of $PARTITIONS partitions, $RECORDS records each, two busy loops: the DSL lost 0; " +
                    "a raw KafkaProducer beside it lost ${rawLost.get()} records on $topicsWithRawLoss topics",
            )
        }
    }) {
    private companion object {
        const val ROUNDS = 50
        const val PARTITIONS = 3
        const val RECORDS = 1_000

        /** As the DSL's producer, with a short delivery timeout so that a lost record costs little time. */
        fun rawSettings(bootstrapServers: String): Map<String, Any> =
            mapOf(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG to "race-raw",
                ProducerConfig.LINGER_MS_CONFIG to 0,
                ProducerConfig.BATCH_SIZE_CONFIG to 2048,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG to 2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG to 3_000,
            )

        fun List<ConsumerRecord<String?, String?>>.shouldBeOnceInOrder() {
            map { it.value()!!.toInt() }.sorted() shouldBe (0 until RECORDS).toList()
            groupBy { it.partition() }
                .filterValues { inPartition -> inPartition.sortedBy { it.offset() }.map { it.value()!!.toInt() }.let { it != it.sorted() } }
                .keys
                .shouldBeEmpty()
        }

        /** Runs [block] while [count] threads spin, as `build-support/stress.sh` loads the machine. */
        inline fun <T> withBusyLoops(
            count: Int,
            block: () -> T,
        ): T {
            val running = AtomicBoolean(true)
            val loops = List(count) { Thread({ while (running.get()) Thread.onSpinWait() }, "busy-loop-$it").apply { isDaemon = true } }
            loops.forEach { it.start() }
            try {
                return block()
            } finally {
                running.set(false)
                loops.forEach { it.join(5_000) }
            }
        }
    }
}
