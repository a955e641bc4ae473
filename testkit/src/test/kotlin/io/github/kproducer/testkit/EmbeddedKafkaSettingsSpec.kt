package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.time.Duration

class EmbeddedKafkaSettingsSpec :
    FunSpec({
        test("the defaults are one broker on a free port with auto-created single-partition topics") {
            val settings = EmbeddedKafkaSettings.defaults()
            settings.brokers shouldBe 1
            settings.ports shouldBe emptyList()
            settings.autoCreateTopics shouldBe true
            settings.defaultPartitions shouldBe 1
        }

        test("every problem of a configuration is reported in one error") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    EmbeddedKafkaConfig()
                        .apply {
                            brokers = 0
                            defaultPartitions = 0
                            startupTimeout = Duration.ZERO
                            brokerProperty("node.id", 5)
                            brokerProperty("log.retention.hourz", 1)
                        }.build()
                }
            val message = error.message!!
            message shouldContain "brokers must be between 1 and 9, was 0"
            message shouldContain "defaultPartitions must be at least 1, was 0"
            message shouldContain "startupTimeout must be positive"
            message shouldContain "broker property 'node.id' is set by EmbeddedKafka"
            message shouldContain "unknown broker property 'log.retention.hourz'; did you mean 'log.retention.hours'?"
        }

        test("fixed ports must be one per broker") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    EmbeddedKafkaConfig()
                        .apply {
                            brokers = 3
                            ports = listOf(19092, 19092)
                        }.build()
                }
            error.message shouldContain "ports must list one port per broker (3)"
            error.message shouldContain "ports must be distinct"
        }

        test("a broker property value that Kafka rejects is reported before anything starts") {
            val error =
                shouldThrow<IllegalArgumentException> {
                    EmbeddedKafkaSettings.builder().brokerProperty("num.io.threads", "many").build()
                }
            error.message shouldContain "broker properties rejected by Kafka"
            error.message shouldContain "num.io.threads"
        }

        test("settings built from the same configuration are equal") {
            val a =
                EmbeddedKafkaConfig()
                    .apply { brokers = 3 }
                    .brokerProperty("log.retention.ms", 1000)
                    .build()
            val b =
                EmbeddedKafkaConfig()
                    .apply { brokers = 3 }
                    .brokerProperty("log.retention.ms", "1000")
                    .build()
            a shouldBe b
            (a == EmbeddedKafkaSettings.defaults()) shouldBe false
        }

        test("settings whose SASL users were added in a different order are equal and hash alike") {
            val aliceFirst =
                EmbeddedKafkaConfig()
                    .saslUser("alice", "alice-secret")
                    .saslUser("bob", "bob-secret")
                    .build()
            val bobFirst =
                EmbeddedKafkaConfig()
                    .saslUser("bob", "bob-secret")
                    .saslUser("alice", "alice-secret")
                    .build()
            aliceFirst shouldBe bobFirst
            aliceFirst.hashCode() shouldBe bobFirst.hashCode()
            aliceFirst.saslUsers shouldBe listOf("alice", "bob")
            bobFirst.saslUsers shouldBe listOf("bob", "alice")

            val otherPassword =
                EmbeddedKafkaConfig()
                    .saslUser("alice", "another-secret")
                    .saslUser("bob", "bob-secret")
                    .build()
            (aliceFirst == otherPassword) shouldBe false
        }
    })
