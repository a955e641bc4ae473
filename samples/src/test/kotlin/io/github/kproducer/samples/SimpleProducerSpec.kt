package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldMatch
import io.github.kproducer.samples.java.SimpleProducer as JavaSimpleProducer

class SimpleProducerSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("the Kotlin and Java SimpleProducer each send one keyless 'hello world N' record to simple-topic") {
            val kotlin = SimpleProducer.run(kafka.bootstrapServers)
            val java = JavaSimpleProducer.run(kafka.bootstrapServers)

            val records = kafka.readStrings(SimpleProducer.TOPIC, 2)
            records shouldHaveSize 2
            records.forEach {
                it.key() shouldBe null
                it.value()!! shouldMatch Regex("hello world \\d{1,3}")
            }
            records.map { it.offset() } shouldBe listOf(kotlin.offset(), java.offset())
            records.map { it.timestamp() } shouldBe listOf(kotlin.timestamp(), java.timestamp())
        }
    })
