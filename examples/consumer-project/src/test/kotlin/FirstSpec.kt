import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.github.kproducer.testkit.readAllStrings
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

class FirstSpec : FunSpec({
    val kafka = install(EmbeddedKafkaExtension())
    test("a first send") {
        kafka.createTopic("orders")
        kafkaProducer<String, String> { bootstrapServers = kafka.bootstrapServers }.use { it.send("orders", "o-1", "v") }
        kafka.readAllStrings("orders").map { it.key() } shouldBe listOf("o-1")
    }
})
