package io.github.kproducer.samples

import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readStrings
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldMatch

class SimpleProducerSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())

        test("SimpleProducer sends one keyless 'hello world N' record to simple-topic") {
            val metadata = SimpleProducer.run(kafka.bootstrapServers)

            val record = kafka.readStrings(SimpleProducer.TOPIC, 1).single()
            record.key() shouldBe null
            record.value()!! shouldMatch Regex("hello world \\d{1,3}")
            record.offset() shouldBe metadata.offset()
            record.partition() shouldBe metadata.partition()
            record.timestamp() shouldBe metadata.timestamp()
        }
    })
