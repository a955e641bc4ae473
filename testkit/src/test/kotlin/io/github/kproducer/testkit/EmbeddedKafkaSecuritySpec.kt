package io.github.kproducer.testkit

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.config.types.Password
import org.apache.kafka.common.errors.SaslAuthenticationException
import org.apache.kafka.common.errors.TopicAuthorizationException
import org.apache.kafka.common.serialization.StringSerializer
import java.util.concurrent.ExecutionException

private const val ALICE_PASSWORD = "alice-s3cret-pw"
private const val BOB_PASSWORD = "bob-s3cret-pw"

class EmbeddedKafkaSecuritySpec :
    FunSpec({
        val kafka =
            install(EmbeddedKafkaExtension()) {
                saslUser("alice", ALICE_PASSWORD)
                saslUser("bob", BOB_PASSWORD)
                acls = true
                autoCreateTopics = false
            }

        fun producer(
            properties: Map<String, Any>,
            vararg extra: Pair<String, Any>,
        ) = KafkaProducer(properties + mapOf(ProducerConfig.MAX_BLOCK_MS_CONFIG to 30_000) + extra, StringSerializer(), StringSerializer())

        fun Map<String, Any>.withPassword(password: String): Map<String, Any> {
            val jaas = (getValue("sasl.jaas.config") as Password).value()
            return this + ("sasl.jaas.config" to Password(jaas.replace(Regex("password=\"[^\"]*\""), "password=\"$password\"")))
        }

        beforeSpec {
            kafka.createTopic("orders")
            kafka.allowProducing("alice", "orders")
        }

        test("a user with WRITE produces with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512") {
            for (mechanism in listOf("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")) {
                producer(kafka.connectionProperties("alice", mechanism)).use { p ->
                    p.send(ProducerRecord("orders", mechanism, "by alice")).get()
                }
            }
            kafka.readStrings("orders", 3).map { it.key() } shouldContainExactly listOf("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
        }

        test("a wrong password fails with an authentication error, not a timeout") {
            for (mechanism in listOf("PLAIN", "SCRAM-SHA-512")) {
                producer(kafka.connectionProperties("alice", mechanism).withPassword("wrong")).use { p ->
                    val error = shouldThrow<Exception> { p.send(ProducerRecord("orders", "k", "v")).get() }
                    val cause = if (error is ExecutionException) error.cause else error
                    cause.shouldBeInstanceOf<SaslAuthenticationException>()
                    cause.message shouldNotContain "wrong"
                }
            }
        }

        test("a user without WRITE on the topic gets an authorization error from send") {
            producer(kafka.connectionProperties("bob", "SCRAM-SHA-512")).use { p ->
                val error = shouldThrow<ExecutionException> { p.send(ProducerRecord("orders", "k", "v")).get() }
                error.cause.shouldBeInstanceOf<TopicAuthorizationException>()
                (error.cause as TopicAuthorizationException).unauthorizedTopics() shouldBe setOf("orders")
            }
        }

        test("passwords appear in no toString") {
            val texts =
                listOf(
                    kafka.toString(),
                    kafka.settings.toString(),
                    kafka.connectionProperties().toString(),
                    kafka.connectionProperties("alice", "SCRAM-SHA-512").toString(),
                )
            texts.forEach { text ->
                text shouldNotContain ALICE_PASSWORD
                text shouldNotContain BOB_PASSWORD
            }
            kafka.settings.saslUsers shouldContainExactly listOf("alice", "bob")
            kafka.settings.toString() shouldContain "saslUsers=[alice, bob]"
        }

        test("unknown users and mechanisms are refused with the fix") {
            shouldThrow<IllegalArgumentException> { kafka.connectionProperties("carol") }.message shouldContain
                "Add one with `saslUser(\"carol\", password)`"
            shouldThrow<IllegalArgumentException> { kafka.connectionProperties("alice", "GSSAPI") }.message shouldContain
                "accepts PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"
        }

        test("bad SASL users are reported when the configuration is built") {
            val message =
                shouldThrow<IllegalArgumentException> {
                    EmbeddedKafkaConfig()
                        .saslUser(EmbeddedKafka.SUPER_USER, "x")
                        .saslUser("9lives", "x")
                        .saslUser("carol", "")
                        .saslUser("dave", "quo\"te")
                        .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                        .build()
                }.message!!
            message shouldContain "SASL user 'admin' is the test kit's super user"
            message shouldContain "SASL user name '9lives' must start with a letter"
            message shouldContain "the password of SASL user 'carol' is empty"
            message shouldContain "the password of SASL user 'dave' holds a quote"
            message shouldContain "broker property 'sasl.enabled.mechanisms' is set by EmbeddedKafka when SASL users or ACLs are configured"
            message shouldNotContain "quo\"te"
        }

        test("ACL helpers refuse a cluster without ACLs, and user logins one without SASL") {
            EmbeddedKafka().use { plain ->
                shouldThrow<IllegalStateException> { plain.allowProducing("alice", "orders") }.message shouldContain "set `acls = true`"
                shouldThrow<IllegalStateException> { plain.connectionProperties("alice") }.message shouldContain "saslUser(name, password)"
            }
        }
    })
