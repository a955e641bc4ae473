package io.github.kproducer.samples

import io.github.kproducer.dsl.jsonSerializer
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.dsl.string
import org.apache.kafka.clients.consumer.ConsumerRecord
import java.time.Instant
import java.util.concurrent.atomic.AtomicInteger

/** The JSON value of study note 004's example message. */
@kotlinx.serialization.Serializable
internal data class Order(
    val orderId: String,
    val amount: Long,
)

/**
 * Study notes 003 and 004: record headers (metadata read without parsing the value) on note 004's
 * message (key `order-456`, headers `transactionId` and `sourceType`, a JSON value), and
 * interceptors: `onSend` may change the record (it stamps `producedAt`), `onAcknowledgement` only
 * observes (it counts).
 */
internal object HeadersAndInterceptors : Sample(name = "headers-interceptors", title = "Headers, and interceptors that stamp and count", notes = "003, 004") {
    const val TOPIC = "orders-with-headers"

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): ConsumerRecord<String, String> {
        env.createTopic(TOPIC)
        val acknowledged = AtomicInteger()
        kafkaProducer<String, Order> {
            bootstrapServers = env.bootstrapServers
            valueSerializer(jsonSerializer<Order>())
            onSend { record -> record.apply { headers().add("producedAt", Instant.now().toString().toByteArray()) } }
            onAcknowledgement { _, exception -> if (exception == null) acknowledged.incrementAndGet() }
        }.use { producer ->
            producer.send(TOPIC) {
                key = "order-456"
                value = Order("order-456", 12_900)
                header("transactionId", "tx-20250107-001")
                header("sourceType", "web")
            }
        }
        val record = env.readAll(TOPIC).last()
        env.println("Read back key=${record.key()} value=${record.value()}")
        record.headers().forEach { env.println("  header ${it.key()} = ${String(it.value())}") }
        env.println("Routing without parsing the value: sourceType=${record.headers().string("sourceType")}")
        env.println("onAcknowledgement counted ${acknowledged.get()} acknowledged record(s)")
        return record
    }
}
