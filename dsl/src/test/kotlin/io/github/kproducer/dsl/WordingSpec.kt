package io.github.kproducer.dsl

import io.github.kproducer.testkit.MockKafkaProducer
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import org.apache.kafka.common.security.auth.SecurityProtocol
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * What a Kotlin caller reads when something is wrong: the configuration block's properties and the
 * suspending forms, as written. KProducerMessagesJavaTest checks the same problems in the Java
 * builder's words.
 */
class WordingSpec :
    FunSpec({
        test("configuration problems name the block's properties") {
            val message =
                shouldThrow<KProducerConfigException> {
                    kafkaProducer<String, String> {
                        transactionalId = "payments-1"
                        idempotence = false
                        linger = (-1).milliseconds
                        property("linger.ms", 5)
                        pluginProperty("acks", "all")
                        sasl { mechanism = SaslMechanism.PLAIN }
                    }
                }.message!!
            message shouldContain "set bootstrapServers = \"host1:9092,host2:9092\""
            message shouldContain "transactionalId needs idempotence, but idempotence = false; remove idempotence = false"
            message shouldContain "linger must not be negative, was -1ms"
            message shouldContain "by linger and by property(\"linger.ms\", ...)"
            message shouldContain "set it with its typed property or property(\"acks\", ...), not pluginProperty(...)"
            message shouldContain "sasl { } needs securityProtocol: set securityProtocol = SecurityProtocol.SASL_SSL"
            message shouldContain "sasl { } needs username: username = \"...\""
            message shouldNotContain ".bootstrapServers("
        }

        test("a missing serializer and missing credentials name the block's forms") {
            val message =
                shouldThrow<KProducerConfigException> {
                    kafkaProducer<String, StringBuilder> {
                        bootstrapServers = "localhost:9092"
                        securityProtocol = SecurityProtocol.SASL_SSL
                        property("lingr.ms", 1)
                    }
                }.message!!
            message shouldContain "set valueSerializer(...) (a Serializer or a lambda `{ topic, value -> bytes }`)"
            message shouldContain "a setting read by your own plugin goes in pluginProperty(\"lingr.ms\", ...)"
            message shouldContain "needs credentials: add sasl { mechanism = ...; username = ...; password = ... }"
        }

        test("a transactional producer says where its sends go, in Kotlin") {
            kafkaProducer<String, String> {
                bootstrapServers = "localhost:9092"
                transactionalId = "payments-1"
            }.use { producer ->
                shouldThrow<IllegalStateException> { producer.send("payments", "k", "v") }.message shouldContain
                    "send inside producer.transaction { ... }"
            }
            val mock = MockKafkaProducer<String, String>()
            mock.asKProducer().use { wrapped ->
                val error = shouldThrow<IllegalStateException> { wrapped.transaction { } }
                error.message shouldContain "transaction { } needs a transactional producer"
                error.message shouldContain "transactionalId = \"...\""
            }
            shouldThrow<KProducerConfigException> { mock.asKProducer { closeTimeout = (-1).seconds } }.message shouldContain
                "closeTimeout must not be negative, was -1s"
        }
    })
