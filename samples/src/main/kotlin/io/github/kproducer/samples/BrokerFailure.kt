package io.github.kproducer.samples

import io.github.kproducer.dsl.Acks
import io.github.kproducer.dsl.kafkaProducer
import org.apache.kafka.clients.admin.Admin
import org.apache.kafka.clients.admin.AdminClientConfig
import org.apache.kafka.clients.producer.ProducerRecord

/**
 * Study note 002's scenario 2: keep producing while one broker of a 3-broker cluster is stopped
 * (the leader of partition 0), start it again, and count: nothing lost, nothing duplicated, every
 * key in order. Replication factor 3 with min.insync.replicas 2 and an idempotent acks=all
 * producer make that hold.
 */
internal object BrokerFailure : Sample(name = "broker-failure", title = "Stop one broker of three mid-stream and lose nothing", notes = "002", brokers = 3) {
    const val TOPIC = "failover"

    class Result(
        val sent: Int,
        val read: Int,
        val lost: Int,
        val duplicated: Int,
        val keysOutOfOrder: Int,
        val stoppedBroker: Int?,
    )

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        val cluster = env.cluster
        val replicas = if (cluster != null && cluster.brokerIds.size >= 3) 3 else 1
        env.createTopic(TOPIC, partitions = 3, replicationFactor = replicas, configs = mapOf("min.insync.replicas" to "${minOf(2, replicas)}"))
        val total = env.scaled(60_000)
        val chunk = maxOf(1, total / 30)
        var stopped: Int? = null
        val progress = env.progress("sending")
        kafkaProducer<String, String> {
            bootstrapServers = env.bootstrapServers
            acks = Acks.ALL
            idempotence = true
        }.use { producer ->
            var sent = 0
            while (sent < total) {
                val batch = (sent until minOf(total, sent + chunk)).map { ProducerRecord(TOPIC, "key-${it % 100}", "$it") }
                producer.sendAll(batch)
                sent += batch.size
                val down = stopped?.takeIf { cluster?.isRunning(it) == false }
                progress.update(sent.toLong(), total.toLong(), if (down != null) "(broker $down is down)" else "")
                if (cluster != null && stopped == null && sent >= total / 3) {
                    stopped = leaderOfPartitionZero(env.bootstrapServers)
                    cluster.stopBroker(stopped)
                    env.println("\n  stopped broker $stopped, the leader of $TOPIC-0; producing goes on")
                } else if (cluster != null && stopped != null && !cluster.isRunning(stopped) && sent >= 2 * total / 3) {
                    cluster.startBroker(stopped)
                    env.println("\n  started broker $stopped again")
                }
            }
        }
        if (cluster == null) env.println("(Against your own cluster: stop a broker by hand while this runs to see the same.)")
        val values = env.readAll(TOPIC).groupBy({ it.key() }, { it.value().toInt() })
        val numbers = values.values.flatten()
        val lost = total - numbers.toSet().size
        val duplicated = numbers.size - numbers.toSet().size
        val outOfOrder = values.count { (_, perKey) -> perKey != perKey.sorted() }
        env.println("Sent $total, read back ${numbers.size}: $lost lost, $duplicated duplicated, $outOfOrder keys out of order")
        return Result(total, numbers.size, lost, duplicated, outOfOrder, stopped)
    }

    private fun leaderOfPartitionZero(bootstrapServers: String): Int =
        Admin.create(mapOf(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers)).use { admin ->
            admin
                .describeTopics(listOf(TOPIC))
                .allTopicNames()
                .get()
                .getValue(TOPIC)
                .partitions()
                .first { it.partition() == 0 }
                .leader()
                .id()
        }
}
