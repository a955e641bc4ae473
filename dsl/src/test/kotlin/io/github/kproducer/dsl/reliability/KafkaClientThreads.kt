package io.github.kproducer.dsl.reliability

/** The live threads of the Kafka client with [clientId] (its I/O thread is `kafka-producer-network-thread | <clientId>`). */
internal fun kafkaClientThreads(clientId: String): List<String> =
    Thread
        .getAllStackTraces()
        .keys
        .filter { it.isAlive && it.name.endsWith("| $clientId") }
        .map { it.name }
