package io.github.kproducer.samples

import io.github.kproducer.dsl.kafkaProducer
import org.apache.kafka.common.IsolationLevel

/**
 * Study note 002's transactional producer over two topics: one transaction commits, one aborts, and
 * consumers with both isolation levels show what each sees.
 */
internal object TransactionalProducer : Sample(name = "transactions", title = "A transaction over topic1 and topic2, committed and aborted", notes = "002") {
    val topics = listOf("topic1", "topic2")

    /** Values each isolation level sees, per topic. */
    class Result(
        val committed: Map<String, List<String>>,
        val uncommitted: Map<String, List<String>>,
    )

    override suspend fun run(env: SampleEnvironment) {
        demo(env)
    }

    suspend fun demo(env: SampleEnvironment): Result {
        topics.forEach { env.createTopic(it) }
        kafkaProducer<String, String> {
            bootstrapServers = env.bootstrapServers
            transactionalId = "my-transactional-id"
        }.use { producer ->
            producer.transaction {
                topics.forEach { send(it, "order-1", "committed message") }
            }
            env.println("Transaction 1: sent to ${topics.joinToString()} and committed")
            try {
                producer.transaction {
                    topics.forEach { send(it, "order-2", "aborted message") }
                    error("something went wrong after both sends")
                }
            } catch (e: IllegalStateException) {
                env.println("Transaction 2: sent to ${topics.joinToString()}, then failed (${e.message}): aborted")
            }
        }
        val committed = topics.associateWith { topic -> env.readAll(topic, IsolationLevel.READ_COMMITTED).map { it.value() } }
        val uncommitted = topics.associateWith { topic -> env.readAll(topic).map { it.value() } }
        topics.forEach { topic ->
            env.println("$topic: read_committed sees ${committed[topic]}, read_uncommitted sees ${uncommitted[topic]}")
        }
        return Result(committed, uncommitted)
    }
}
