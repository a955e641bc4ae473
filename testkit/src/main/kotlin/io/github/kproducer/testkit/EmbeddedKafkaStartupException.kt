package io.github.kproducer.testkit

/**
 * Thrown when an [EmbeddedKafka] cluster, or one of its brokers, cannot start; the message says
 * why (a port in use, a configuration Kafka rejects, a timeout) and what to change.
 *
 * Nothing is left running when it is thrown: the nodes that did start are stopped and the data
 * directory is deleted. Only the test kit throws it: its constructor is internal.
 */
public class EmbeddedKafkaStartupException internal constructor(
    message: String,
    cause: Throwable? = null,
) : RuntimeException(message, cause)
