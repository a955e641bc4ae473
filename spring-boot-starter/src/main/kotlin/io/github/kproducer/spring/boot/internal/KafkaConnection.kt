package io.github.kproducer.spring.boot.internal

import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails

/** Where the brokers are, when the application has a connection-details bean (a `@ServiceConnection`, say) to say so. */
internal fun interface KafkaConnection {
    /** Writes the connection's `bootstrap.servers` (and security protocol) into [kafka]. */
    fun applyTo(kafka: MutableMap<String, Any>)
}

/**
 * [KafkaConnection] from Boot's `KafkaConnectionDetails` (Boot's Kafka module, which brings spring-kafka;
 * loaded only when that is on the class path). Its producer configuration wins over `spring.kafka.bootstrap-servers`,
 * as in Boot's own auto-configuration.
 */
internal class ConnectionDetailsConnection(
    private val details: KafkaConnectionDetails,
) : KafkaConnection {
    override fun applyTo(kafka: MutableMap<String, Any>) {
        val producer = details.producer
        kafka["bootstrap.servers"] = producer.bootstrapServers.toList()
        producer.securityProtocol?.let { kafka["security.protocol"] = it }
        check(producer.sslBundle == null) {
            "The KafkaConnectionDetails bean has an SSL bundle, which kproducer-spring-boot-starter does not support: " +
                "configure the stores with spring.kafka.ssl.* or ssl.* in spring.kafka.properties"
        }
    }
}
