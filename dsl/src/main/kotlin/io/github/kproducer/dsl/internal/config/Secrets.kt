package io.github.kproducer.dsl.internal.config

import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.common.config.ConfigDef
import org.apache.kafka.common.config.types.Password

/** Which producer properties are secret, and their masked form for `toString()` and logs. */
internal object Secrets {
    private const val HIDDEN = "[hidden]"

    /** Keys Kafka declares as passwords (`ssl.keystore.password`, `sasl.jaas.config`, ...). */
    val passwordKeys: Set<String> by lazy {
        ProducerConfig
            .configDef()
            .configKeys()
            .filterValues { it.type == ConfigDef.Type.PASSWORD }
            .keys
    }

    /** Plugin keys that look secret; their values are masked although Kafka does not know them. */
    private val secretLooking = Regex("(?i)(password|passwd|secret|token|credential|jaas|private|apikey|api\\.key)")

    fun isSecret(key: String): Boolean = key in passwordKeys || secretLooking.containsMatchIn(key)

    /** Wraps secret values in Kafka's [Password], whose `toString()` is `[hidden]`. */
    fun protect(
        key: String,
        value: Any,
    ): Any = if (key in passwordKeys && value is String) Password(value) else value

    fun masked(properties: Map<String, Any>): Map<String, Any> =
        properties.mapValues { (key, value) -> if (value is Password || isSecret(key)) HIDDEN else value }
}
