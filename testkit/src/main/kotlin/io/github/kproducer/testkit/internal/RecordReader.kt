package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.consumer.CloseOptions
import org.apache.kafka.clients.consumer.ConsumerConfig
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.consumer.KafkaConsumer
import org.apache.kafka.common.IsolationLevel
import org.apache.kafka.common.KafkaException
import org.apache.kafka.common.TopicPartition
import org.apache.kafka.common.errors.RetriableException
import org.apache.kafka.common.serialization.Deserializer
import java.util.Locale
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeMark
import kotlin.time.TimeSource
import kotlin.time.toJavaDuration

/**
 * Reads a topic from the beginning with an assigned (group-less) consumer; shared by every cluster backend.
 *
 * Every Kafka call gets the time left of the caller's timeout, and a call that times out or meets a
 * retriable error is tried again until then: a fresh consumer on a loaded machine can need more than
 * a second to connect and fetch metadata, and a stopped broker makes some of its calls fail. The
 * read ends in an [AssertionError] that says what it waited for and what it saw; any other Kafka
 * failure (authorization, deserialization) ends in one that names the read and Kafka's exception.
 */
internal object RecordReader {
    /** The longest single poll of a read (and of a [LiveReader]). */
    val pollInterval = 100.milliseconds

    /** The pause before a Kafka call that met a retriable error is tried again. */
    val retryPause = 20.milliseconds

    /** How long an answer "no such topic" is believed before a read says so: a fresh topic may not be in every broker's metadata yet. */
    val unknownTopicGrace = 1.seconds

    /** How long closing a reader's consumer may take (no group to leave: it only releases sockets). */
    val closeTimeout = 1.seconds

    fun <K, V> read(
        connection: Map<String, Any>,
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
        until: (List<ConsumerRecord<K, V>>) -> Boolean,
    ): List<ConsumerRecord<K, V>> = TestKitLogging.quietly { readUntil(connection, topic, keyDeserializer, valueDeserializer, timeout, isolationLevel, until) }

    private fun <K, V> readUntil(
        connection: Map<String, Any>,
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
        until: (List<ConsumerRecord<K, V>>) -> Boolean,
    ): List<ConsumerRecord<K, V>> {
        val deadline = Deadline(timeout)
        val call = "read('$topic', timeout = $timeout)"
        val records = ArrayList<ConsumerRecord<K, V>>()
        var lastProblem: Throwable? = null
        consumer(connection, isolationLevel, keyDeserializer, valueDeserializer, call).use { reader ->
            val consumer = reader.consumer
            var partitions: List<TopicPartition> = emptyList()
            while (true) {
                try {
                    if (partitions.isEmpty()) {
                        partitions = partitionsOf(consumer, topic, deadline)
                        if (partitions.isNotEmpty()) {
                            consumer.assign(partitions)
                            consumer.seekToBeginning(partitions)
                        }
                    }
                    if (until(records)) return records
                    if (deadline.hasPassed) throw AssertionError(describeTimeout(call, topic, partitions, records, lastProblem))
                    if (partitions.isEmpty()) {
                        deadline.pause(retryPause)
                    } else {
                        consumer.poll(minOf(pollInterval, deadline.remaining).toJavaDuration()).forEach { records += it }
                    }
                } catch (e: RetriableException) {
                    lastProblem = e
                    if (deadline.hasPassed) throw AssertionError(describeTimeout(call, topic, partitions, records, lastProblem), e)
                    deadline.pause(retryPause)
                } catch (e: KafkaException) {
                    throw AssertionError("$call failed after reading ${records.size} records: ${describeFailure(e)}", e)
                }
            }
        }
    }

    /** Reads from the beginning to the end offsets seen at the start (the last stable offsets for read_committed). */
    fun <K, V> readAll(
        connection: Map<String, Any>,
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> = TestKitLogging.quietly { readToEnd(connection, topic, keyDeserializer, valueDeserializer, timeout, isolationLevel) }

    private fun <K, V> readToEnd(
        connection: Map<String, Any>,
        topic: String,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        timeout: Duration,
        isolationLevel: IsolationLevel,
    ): List<ConsumerRecord<K, V>> {
        val deadline = Deadline(timeout)
        val call = "readAll('$topic', timeout = $timeout)"
        val records = ArrayList<ConsumerRecord<K, V>>()
        var unknownSince: TimeMark? = null
        var lastProblem: Throwable? = null
        var partitions: List<TopicPartition> = emptyList()
        var end: Map<TopicPartition, Long>? = null
        consumer(connection, isolationLevel, keyDeserializer, valueDeserializer, call).use { reader ->
            val consumer = reader.consumer
            while (true) {
                try {
                    if (partitions.isEmpty()) {
                        partitions = partitionsOf(consumer, topic, deadline)
                        if (partitions.isEmpty()) {
                            // Believed only after a second of such answers: a fresh topic may not be in every broker's metadata yet.
                            val since = unknownSince ?: TimeSource.Monotonic.markNow().also { unknownSince = it }
                            if (since.elapsedNow() >= unknownTopicGrace || deadline.hasPassed) {
                                throw AssertionError(
                                    "$call: topic '$topic' does not exist (the brokers did not know it for ${since.elapsedNow().inWholeMilliseconds} ms)",
                                )
                            }
                            deadline.pause(retryPause)
                            continue
                        }
                        consumer.assign(partitions)
                        consumer.seekToBeginning(partitions)
                    }
                    val ends = end ?: consumer.endOffsets(partitions, deadline.remainingJava).also { end = it }
                    if (partitions.all { consumer.position(it, deadline.remainingJava) >= ends.getValue(it) }) return records
                    if (deadline.hasPassed) throw AssertionError(describeEndTimeout(call, ends, records, lastProblem))
                    consumer.poll(minOf(pollInterval, deadline.remaining).toJavaDuration()).forEach { records += it }
                } catch (e: RetriableException) {
                    lastProblem = e
                    if (deadline.hasPassed) {
                        val message = end?.let { describeEndTimeout(call, it, records, e) } ?: describeTimeout(call, topic, partitions, records, e)
                        throw AssertionError(message, e)
                    }
                    deadline.pause(retryPause)
                } catch (e: KafkaException) {
                    throw AssertionError("$call failed after reading ${records.size} records: ${describeFailure(e)}", e)
                }
            }
        }
    }

    /** The topic's partitions, or none when the brokers do not know it (yet); a metadata timeout is retried by the caller. */
    fun partitionsOf(
        consumer: KafkaConsumer<*, *>,
        topic: String,
        deadline: Deadline,
    ): List<TopicPartition> = consumer.partitionsFor(topic, deadline.remainingJava).orEmpty().map { TopicPartition(it.topic(), it.partition()) }

    private class Reader<K, V>(
        val consumer: KafkaConsumer<K, V>,
    ) : AutoCloseable {
        override fun close() {
            // No group to leave: closing only releases sockets, and must not hold a failed read up.
            runCatching { consumer.close(CloseOptions.timeout(closeTimeout.toJavaDuration())) }
        }
    }

    private fun <K, V> consumer(
        connection: Map<String, Any>,
        isolationLevel: IsolationLevel,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        call: String,
    ): Reader<K, V> = Reader(newConsumer(connection, isolationLevel, keyDeserializer, valueDeserializer, call, TestKitLogging.CLIENT_ID_PREFIX + "reader"))

    /**
     * A group-less consumer of the test kit's own (no auto-commit, no topic auto-creation, short fetch
     * waits) with [clientId]; an [AssertionError] naming [call] when Kafka refuses its configuration.
     */
    fun <K, V> newConsumer(
        connection: Map<String, Any>,
        isolationLevel: IsolationLevel,
        keyDeserializer: Deserializer<K>,
        valueDeserializer: Deserializer<V>,
        call: String,
        clientId: String,
    ): KafkaConsumer<K, V> =
        try {
            KafkaConsumer(consumerProperties(connection, isolationLevel, clientId), keyDeserializer, valueDeserializer)
        } catch (e: KafkaException) {
            throw AssertionError("$call could not create its consumer: ${describeFailure(e.cause ?: e)}", e)
        }

    private fun consumerProperties(
        connection: Map<String, Any>,
        isolationLevel: IsolationLevel,
        clientId: String,
    ): Map<String, Any> =
        connection +
            mapOf(
                ConsumerConfig.CLIENT_ID_CONFIG to clientId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG to false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG to 50,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG to false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG to isolationLevel.toString().lowercase(Locale.ROOT),
            )

    private fun describeTimeout(
        call: String,
        topic: String,
        partitions: List<TopicPartition>,
        records: List<ConsumerRecord<*, *>>,
        lastProblem: Throwable?,
    ): String {
        val problem = lastProblem?.let { " The last answer from the cluster: ${describeFailure(it)}." }.orEmpty()
        if (partitions.isEmpty()) {
            return "$call: topic '$topic' did not appear within the timeout: nothing was produced to it, it was never created, " +
                "or the cluster did not answer.$problem"
        }
        val perPartition = records.groupingBy { it.partition() }.eachCount()
        val detail = partitions.sortedBy { it.partition() }.joinToString { "partition ${it.partition()}: ${perPartition[it.partition()] ?: 0}" }
        return "$call: the records read within the timeout did not satisfy the condition; read ${records.size} ($detail).$problem"
    }

    private fun describeEndTimeout(
        call: String,
        end: Map<TopicPartition, Long>,
        records: List<ConsumerRecord<*, *>>,
        lastProblem: Throwable?,
    ): String {
        val ends = end.entries.sortedBy { it.key.partition() }.joinToString { "partition ${it.key.partition()}: ${it.value}" }
        val problem = lastProblem?.let { " The last answer from the cluster: ${describeFailure(it)}." }.orEmpty()
        return "$call: did not reach the end offsets ($ends) within the timeout; read ${records.size} records.$problem"
    }
}
