package io.github.kproducer.samples

import io.github.kproducer.dsl.jsonSerializer
import io.github.kproducer.dsl.kafkaProducer
import kotlinx.serialization.Serializable
import org.apache.kafka.clients.producer.RecordMetadata

/** The JSON value of study note 002's keyed event. */
@Serializable
internal data class UserEvent(
    val userId: String,
    val action: String,
    val timestamp: Long,
)

/**
 * Study note 002's first programs: connect, send "Hello Kafka!" to `user-events`, disconnect; then a
 * keyed JSON event (`userId`, `action: LOGIN`, `timestamp`) written with kotlinx.serialization.
 */
internal object JsonEvents : Sample(name = "json-events", title = "A plain message and a keyed JSON event to user-events", notes = "002") {
    const val TOPIC = "user-events"

    override suspend fun run(env: SampleEnvironment) {
        send(env)
    }

    suspend fun send(env: SampleEnvironment): Pair<RecordMetadata, RecordMetadata> {
        env.createTopic(TOPIC, partitions = 3)
        val hello =
            kafkaProducer<String, String> { bootstrapServers = env.bootstrapServers }.use { producer ->
                producer.send(TOPIC, null, "Hello Kafka!")
            }
        env.println("Sent 'Hello Kafka!' to ${hello.topic()} [${hello.partition()}] offset=${hello.offset()}")

        val event = UserEvent(userId = "123", action = "LOGIN", timestamp = System.currentTimeMillis())
        val json =
            kafkaProducer<String, UserEvent> {
                bootstrapServers = env.bootstrapServers
                valueSerializer(jsonSerializer<UserEvent>())
            }.use { producer -> producer.send(TOPIC, "user-123", event) }
        env.println("Sent $event as JSON with key user-123 to partition ${json.partition()} offset=${json.offset()}")
        return hello to json
    }
}
