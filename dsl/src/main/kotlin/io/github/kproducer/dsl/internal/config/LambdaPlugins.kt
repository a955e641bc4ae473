package io.github.kproducer.dsl.internal.config

import io.github.kproducer.dsl.AcknowledgementInterceptor
import io.github.kproducer.dsl.RecordPartitioner
import io.github.kproducer.dsl.SendInterceptor
import org.apache.kafka.clients.producer.Partitioner
import org.apache.kafka.clients.producer.ProducerInterceptor
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.apache.kafka.common.Cluster
import org.apache.kafka.common.config.ConfigException

/*
 * KafkaProducer creates partitioners and interceptors from class names, then calls configure() with
 * the producer's original configuration map, values as given. The DSL puts the lambdas themselves in
 * that map, under the keys below, next to the bridge class names. Each producer's bridge instances
 * read their own lambdas from their own map: no registry, nothing global, nothing left behind.
 */

/** The configuration key under which the partitioner lambda travels to its bridge. */
internal const val PARTITIONER_KEY = "kproducer.partitioner"

/** The configuration key under which the interceptor lambdas travel to their bridge. */
internal const val INTERCEPTORS_KEY = "kproducer.interceptors"

/** The interceptor lambdas of one producer, in the order they were added. */
internal class InterceptorLambdas(
    val onSend: List<SendInterceptor<*, *>>,
    val onAcknowledgement: List<AcknowledgementInterceptor>,
) {
    override fun toString(): String = "InterceptorLambdas(onSend=${onSend.size}, onAcknowledgement=${onAcknowledgement.size})"
}

/** Holds the partitioner lambda in the configuration map; its toString keeps logs readable. */
internal class PartitionerLambda(
    val partitioner: RecordPartitioner<*, *>,
) {
    override fun toString(): String = "PartitionerLambda"
}

/** The partitioner class KafkaProducer instantiates; it delegates to the lambda found in its configuration. */
internal class LambdaPartitioner() : Partitioner {
    private var lambda: RecordPartitioner<Any?, Any?>? = null

    @Suppress("UNCHECKED_CAST")
    constructor(partitioner: RecordPartitioner<*, *>) : this() {
        lambda = partitioner as RecordPartitioner<Any?, Any?>
    }

    @Suppress("UNCHECKED_CAST")
    override fun configure(configs: Map<String, *>) {
        val holder =
            configs[PARTITIONER_KEY] as? PartitionerLambda
                ?: lambda?.let { return }
                ?: throw ConfigException("$PARTITIONER_KEY", null, "LambdaPartitioner is configured by kproducer's partitioner { } and cannot be used alone")
        lambda = holder.partitioner as RecordPartitioner<Any?, Any?>
    }

    override fun partition(
        topic: String,
        key: Any?,
        keyBytes: ByteArray?,
        value: Any?,
        valueBytes: ByteArray?,
        cluster: Cluster,
    ): Int {
        val count = cluster.partitionCountForTopic(topic) ?: cluster.partitionsForTopic(topic).size
        val partition = checkNotNull(lambda) { "LambdaPartitioner was not configured" }.partition(topic, key, value, count)
        require(partition in 0 until count) { "The partitioner { } lambda returned partition $partition for topic $topic, which has $count partitions" }
        return partition
    }

    override fun close() = Unit
}

/** The interceptor class KafkaProducer instantiates; it runs the lambdas found in its configuration. */
internal class LambdaInterceptor<K, V>() : ProducerInterceptor<K, V> {
    private var onSend: List<SendInterceptor<K, V>> = emptyList()
    private var onAcknowledgement: List<AcknowledgementInterceptor> = emptyList()

    @Suppress("UNCHECKED_CAST")
    constructor(onSend: List<SendInterceptor<*, *>>, onAcknowledgement: List<AcknowledgementInterceptor>) : this() {
        this.onSend = onSend as List<SendInterceptor<K, V>>
        this.onAcknowledgement = onAcknowledgement
    }

    @Suppress("UNCHECKED_CAST")
    override fun configure(configs: Map<String, *>) {
        val holder = configs[INTERCEPTORS_KEY] as? InterceptorLambdas ?: return
        onSend = holder.onSend as List<SendInterceptor<K, V>>
        onAcknowledgement = holder.onAcknowledgement
    }

    override fun onSend(record: ProducerRecord<K, V>): ProducerRecord<K, V> = onSend.fold(record) { current, interceptor -> interceptor.onSend(current) }

    override fun onAcknowledgement(
        metadata: RecordMetadata?,
        exception: Exception?,
    ) {
        onAcknowledgement.forEach { it.onAcknowledgement(metadata, exception) }
    }

    override fun close() = Unit
}
