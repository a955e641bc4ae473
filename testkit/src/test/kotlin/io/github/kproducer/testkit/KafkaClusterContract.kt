package io.github.kproducer.testkit

import io.kotest.matchers.shouldBe
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer

/**
 * What every [KafkaCluster] backend must do, written once against the interface: create a topic,
 * take records, give them back with their partitions and headers.
 */
fun verifyKafkaClusterContract(cluster: KafkaCluster) {
    cluster.createTopic("contract", partitions = 3)
    KafkaProducer(cluster.connectionProperties(), StringSerializer(), StringSerializer()).use { producer ->
        repeat(9) {
            val record = ProducerRecord("contract", "key-${it % 3}", "value-$it")
            record.headers().add("n", "$it".toByteArray())
            producer.send(record).get()
        }
    }
    val records = cluster.readStrings("contract", 9)
    records.shouldHaveSent(9).shouldKeepEachKeyInOnePartition().shouldHaveNoDuplicates()
    records.first { it.value() == "value-4" }.shouldHaveHeader("n", "4")
    cluster.admin().use { admin ->
        admin
            .listTopics()
            .names()
            .get()
            .contains("contract") shouldBe true
    }
}
