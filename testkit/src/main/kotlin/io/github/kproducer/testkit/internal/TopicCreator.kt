package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.admin.CreateTopicsOptions
import org.apache.kafka.clients.admin.NewTopic
import org.apache.kafka.common.errors.RetriableException
import kotlin.time.Duration.Companion.seconds

/** Creates topics through one lazily opened admin client, and waits until they serve produce requests. */
internal class TopicCreator(
    private val connection: () -> Map<String, Any>,
    /** Waits until every broker serves the metadata that the serving check saw ([KraftCluster.awaitMetadataOnEveryBroker]). */
    private val awaitMetadataOnEveryBroker: (Deadline, String) -> Unit = { _, _ -> },
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
        TestKitLogging.quietly {
            val call = "createTopic('$name', partitions = $partitions, replicationFactor = $replicationFactor)"
            val deadline = Deadline(TIMEOUT)
            val admin = admin()
            val topic = NewTopic(name, partitions, replicationFactor.toShort()).configs(configs)
            try {
                deadline.await(admin.createTopics(listOf(topic), CreateTopicsOptions().timeoutMs(TIMEOUT.inWholeMilliseconds.toInt())).all())
            } catch (e: RetriableException) {
                // Not tried again: a create that timed out may still have happened, and a second would fail with "exists".
                throw AssertionError("$call: the cluster did not create the topic within $TIMEOUT: ${describeFailure(e)}", e)
            }
            // Other failures (the topic exists, too few brokers, a bad config) are Kafka's own, as documented.
            ServingPartitions.await(admin, listOf(name), null, deadline, call)
            awaitMetadataOnEveryBroker(deadline, call)
        }
    }

    private fun admin(): Admin =
        synchronized(lock) {
            admin ?: Admin.create(connection() + (AdminClientConfig.CLIENT_ID_CONFIG to TestKitLogging.CLIENT_ID_PREFIX + "admin")).also { admin = it }
        }

    override fun close() {
        synchronized(lock) {
            admin?.let { TestKitLogging.quietly { it.close(java.time.Duration.ofSeconds(5)) } }
            admin = null
        }
    }

    /** Closes this creator's admin client, then runs [closeCluster] whether or not that failed: a cluster's own close. */
    fun closeThen(closeCluster: () -> Unit) {
        try {
            close()
        } finally {
            closeCluster()
        }
    }

    private companion object {
        val TIMEOUT = 30.seconds
    }
}
