package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.admin.NewTopic
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/** Creates topics through one lazily opened admin client, and waits until they are usable. */
internal class TopicCreator(
    private val connection: () -> Map<String, Any>,
) : AutoCloseable {
    private val lock = Any()
    private var admin: Admin? = null

    fun create(
        name: String,
        partitions: Int,
        replicationFactor: Int,
        configs: Map<String, String>,
    ) {
        require(partitions >= 1) { "partitions must be at least 1, was $partitions" }
        require(replicationFactor in 1..Short.MAX_VALUE) { "replicationFactor must be at least 1, was $replicationFactor" }
        val admin = admin()
        val topic = NewTopic(name, partitions, replicationFactor.toShort()).configs(configs)
        try {
            admin.createTopics(listOf(topic)).all().get(TIMEOUT.inWholeMilliseconds, TimeUnit.MILLISECONDS)
        } catch (e: ExecutionException) {
            throw e.cause ?: e
        }
        awaitReplicas(admin, name, replicationFactor)
    }

    /** Waits until every partition has a leader and a full ISR, so the first produce does not race the metadata. */
    private fun awaitReplicas(
        admin: Admin,
        name: String,
        replicationFactor: Int,
    ) {
        val deadline = TimeSource.Monotonic.markNow() + TIMEOUT
        while (true) {
            val ready =
                runCatching {
                    val description = admin.describeTopics(listOf(name)).allTopicNames().get(TIMEOUT.inWholeMilliseconds, TimeUnit.MILLISECONDS)
                    description.getValue(name).partitions().all { it.leader() != null && it.isr().size >= replicationFactor }
                }.getOrDefault(false)
            if (ready) return
            check(!deadline.hasPassedNow()) { "Topic '$name' was created but its partitions had no leader and full ISR within $TIMEOUT" }
            Thread.sleep(POLL.inWholeMilliseconds)
        }
    }

    private fun admin(): Admin =
        synchronized(lock) {
            admin ?: Admin.create(connection() + (AdminClientConfig.CLIENT_ID_CONFIG to "kproducer-testkit-admin")).also { admin = it }
        }

    override fun close() {
        synchronized(lock) {
            admin?.close(java.time.Duration.ofSeconds(5))
            admin = null
        }
    }

    private companion object {
        val TIMEOUT = 30.seconds
        val POLL = 50.milliseconds
    }
}
