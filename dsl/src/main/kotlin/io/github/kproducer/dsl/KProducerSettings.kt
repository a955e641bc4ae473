package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.LaneTuning
import io.github.kproducer.dsl.internal.config.ProducerBehaviour
import io.github.kproducer.dsl.internal.config.Secrets
import io.github.kproducer.dsl.internal.config.Wording
import io.github.kproducer.dsl.internal.config.displayName
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.common.serialization.Serializer
import kotlin.time.toJavaDuration

/**
 * The validated, immutable result of a [KProducerConfig]: the Kafka properties a producer is created
 * with, its serializers and its [KProducerOptions]. One settings value can create many producers.
 *
 * `toString()` lists the properties with every password, key and JAAS configuration shown as
 * `[hidden]`.
 */
public class KProducerSettings<K, V> internal constructor(
    /**
     * The producer properties by their Kafka names. Secrets are Kafka `Password` values; settings not
     * listed keep Kafka's defaults, except `enable.idempotence`, which is always stated.
     */
    public val properties: Map<String, Any>,
    /** The key serializer. */
    public val keySerializer: Serializer<K>,
    /** The value serializer. */
    public val valueSerializer: Serializer<V>,
    internal val behaviour: ProducerBehaviour<K, V>,
    internal val laneTuning: LaneTuning,
    /** How the producer's messages name what its caller wrote: the Kotlin block, or the Java builder. */
    internal val wording: Wording = Wording.KOTLIN,
) {
    /** How long `close()` without an argument waits. */
    public val closeTimeout: java.time.Duration get() = behaviour.closeTimeout.toJavaDuration()

    /** Whether the producer is transactional (`transactional.id` is set); its sends then belong in `transaction { }`. */
    public val isTransactional: Boolean get() = properties["transactional.id"] != null

    /** The `bootstrap.servers` value. */
    public val bootstrapServers: String get() = properties.getValue(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG).toString()

    override fun toString(): String =
        "KProducerSettings(" + Secrets.masked(properties).entries.joinToString { "${it.key}=${it.value}" } +
            ", keySerializer=${keySerializer.displayName()}, valueSerializer=${valueSerializer.displayName()})"
}
