package io.github.kproducer.dsl.reliability

import io.github.kproducer.dsl.Acks
import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.KProducerConfig
import io.github.kproducer.dsl.KProducerConfigException
import io.github.kproducer.dsl.SaslMechanism
import io.github.kproducer.dsl.kafkaProducer
import io.github.kproducer.dsl.kafkaProducerSettings
import io.github.kproducer.testkit.EmbeddedKafkaExtension
import io.kotest.assertions.withClue
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withTests
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.should
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.beInstanceOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.InvalidRecordException
import org.apache.kafka.common.errors.RecordTooLargeException
import org.apache.kafka.common.errors.SerializationException
import org.apache.kafka.common.errors.TimeoutException
import org.apache.kafka.common.security.auth.SecurityProtocol
import org.apache.kafka.common.serialization.Serializer
import java.time.Instant
import java.util.concurrent.atomic.AtomicInteger
import kotlin.reflect.KClass
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Every kind of bad input a user can give: configuration, records, lifecycle. Each must fail with an
 * error of the expected type whose message names the problem and the fix, within a bound (no hang),
 * and leave no Kafka client thread behind.
 */
class BadInputSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension()) { autoCreateTopics = false }
        val ids = AtomicInteger()

        /** One case: [block] must throw [type] with every one of [fragments] in its message. */
        class Case(
            val name: String,
            val type: KClass<out Throwable>,
            val fragments: List<String>,
            val block: suspend (clientId: String) -> Unit,
        )

        val cases = mutableListOf<Case>()

        fun case(
            name: String,
            type: KClass<out Throwable>,
            vararg fragments: String,
            block: suspend (clientId: String) -> Unit,
        ) {
            cases += Case(name, type, fragments.toList(), block)
        }

        fun producer(
            clientId: String,
            configure: KProducerConfig<String, String>.() -> Unit = {},
        ): KProducer<String, String> =
            kafkaProducer {
                bootstrapServers = kafka.bootstrapServers
                this.clientId = clientId
                maxBlock = 3.seconds
                configure()
            }

        fun settings(configure: KProducerConfig<String, String>.() -> Unit) =
            kafkaProducerSettings<String, String> {
                bootstrapServers = kafka.bootstrapServers
                configure()
            }

        // ---- configuration: missing ----
        case("bootstrapServers missing", KProducerConfigException::class, "bootstrapServers is not set: set bootstrapServers =") {
            kafkaProducerSettings<String, String> { }
        }
        case("no serializer for the value type", KProducerConfigException::class, "no valueSerializer for value type", "set valueSerializer(") {
            kafkaProducerSettings<String, Instant> { bootstrapServers = "b:9092" }
        }
        case("sasl { } without a password", KProducerConfigException::class, "sasl { } needs password") {
            settings {
                securityProtocol = SecurityProtocol.SASL_PLAINTEXT
                sasl {
                    mechanism = SaslMechanism.PLAIN
                    username = "alice"
                }
            }
        }
        case(
            "sasl { } without a security protocol",
            KProducerConfigException::class,
            "sasl { } needs securityProtocol: set securityProtocol = SecurityProtocol.SASL_SSL",
        ) {
            settings {
                sasl {
                    mechanism = SaslMechanism.PLAIN
                    username = "alice"
                    password = "pw"
                }
            }
        }

        // ---- configuration: unknown or malformed ----
        case("misspelt property", KProducerConfigException::class, "unknown producer property 'lingr.ms'; did you mean 'linger.ms'?") {
            settings { property("lingr.ms", 5) }
        }
        case("bootstrap entry without a port", KProducerConfigException::class, "bootstrapServers entry 'broker-1' is not host:port") {
            kafkaProducerSettings<String, String> { bootstrapServers = "broker-1,broker-2:9092" }
        }
        case("negative linger", KProducerConfigException::class, "linger must not be negative, was -5ms") {
            settings { linger = (-5).milliseconds }
        }
        case("raw value Kafka rejects", KProducerConfigException::class, "Kafka rejects a value", "compression.type") {
            settings { property("compression.type", "brotli") }
        }
        case("producer setting given as a plugin property", KProducerConfigException::class, "'acks' is a producer setting: set it with its typed property") {
            settings { pluginProperty("acks", "all") }
        }

        // ---- configuration: contradictory ----
        case("transactional id with idempotence off", KProducerConfigException::class, "transactionalId needs idempotence", "remove idempotence = false") {
            settings {
                transactionalId = "tx-1"
                idempotence = false
            }
        }
        case("idempotence with acks = 1", KProducerConfigException::class, "idempotence = true needs acks = Acks.ALL, but acks is LEADER") {
            settings {
                idempotence = true
                acks = Acks.LEADER
            }
        }
        case("delivery timeout below linger + request timeout", KProducerConfigException::class, "raise deliveryTimeout or lower linger/requestTimeout") {
            settings {
                deliveryTimeout = 1.seconds
                linger = 500.milliseconds
                requestTimeout = 2.seconds
            }
        }
        case("batch larger than the buffer", KProducerConfigException::class, "batchSize 2000000 exceeds bufferMemory 1000000") {
            settings {
                batchSize = 2_000_000
                bufferMemory = 1_000_000
            }
        }
        case("typed and raw setting both given", KProducerConfigException::class, "'linger.ms' is set twice", "keep one") {
            settings {
                linger = 5.milliseconds
                property("linger.ms", 10)
            }
        }
        case("transaction timeout without transactional id", KProducerConfigException::class, "set transactionalId or remove transactionTimeout") {
            settings { transactionTimeout = 10.seconds }
        }
        case("compression level without compression", KProducerConfigException::class, "compressionLevel 3 needs a compression with levels") {
            settings { compressionLevel = 3 }
        }

        // ---- records ----
        case("record above maxRequestSize", RecordTooLargeException::class, "max.request.size", "or raise maxRequestSize") { id ->
            kafka.createTopic("too-large-client")
            producer(id) { maxRequestSize = 1_000 }.use { it.send("too-large-client", "k", "x".repeat(5_000)) }
        }
        case("record above the topic's max.message.bytes", RecordTooLargeException::class, "Topic 'too-large-broker'", "raise max.message.bytes") { id ->
            kafka.createTopic("too-large-broker", configs = mapOf("max.message.bytes" to "1024"))
            producer(id).use { it.send("too-large-broker", "k", "x".repeat(5_000)) }
        }
        case("lambda serializer throws", SerializationException::class, "value serializer failed for a record to topic 'bad-lambda'") { id ->
            kafka.createTopic("bad-lambda")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                clientId = id
                valueSerializer { _, _ -> error("cannot encode") }
            }.use { it.send("bad-lambda", "k", "v") }
        }
        case(
            "Serializer object throws",
            SerializationException::class,
            "value serializer",
            "failed for a record to topic 'bad-object'",
            "cannot encode",
        ) { id ->
            kafka.createTopic("bad-object")
            kafkaProducer<String, String> {
                bootstrapServers = kafka.bootstrapServers
                clientId = id
                valueSerializer(Serializer<String> { _, _ -> throw UnsupportedOperationException("cannot encode") })
            }.use { it.send("bad-object", "k", "v") }
        }
        case(
            "partition out of range, first send",
            TimeoutException::class,
            "Partition 7 of topic 'three-partitions' does not exist",
            "Send without a partition",
        ) { id ->
            kafka.createTopic("three-partitions", partitions = 3)
            producer(id).use {
                it.send("three-partitions") {
                    key = "k"
                    value = "v"
                    partition = 7
                }
            }
        }
        case("partition out of range after the topic is known", TimeoutException::class, "the topic has 3 partitions (0..2)") { id ->
            kafka.createTopic("three-more", partitions = 3)
            producer(id).use {
                it.send("three-more", "k", "v")
                it.send("three-more") {
                    key = "k"
                    value = "v"
                    partition = 3
                }
            }
        }
        case("negative partition", IllegalArgumentException::class, "partition must not be negative, was -1") { id ->
            producer(id).use {
                it.send("any") {
                    value = "v"
                    partition = -1
                }
            }
        }
        case("record without a value", IllegalArgumentException::class, "has no value: set `value = ...`") { id ->
            producer(id).use { it.send("any") { key = "k" } }
        }
        case("null key on a compacted topic", InvalidRecordException::class, "every record needs a key: give the record a key") { id ->
            kafka.createTopic("compacted", configs = mapOf("cleanup.policy" to "compact"))
            producer(id).use { it.send(ProducerRecord("compacted", null, "v")) }
        }
        case("topic that does not exist", TimeoutException::class, "not present in metadata", "the topic may not exist") { id ->
            producer(id).use { it.send("no-such-topic", "k", "v") }
        }

        // ---- lifecycle ----
        fun closed(id: String) = producer(id).also { it.close() }
        case("send after close", IllegalStateException::class, "This KProducer is closed; create a new one") { id ->
            closed(id).send("any", "k", "v")
        }
        case("sendAsync after close", IllegalStateException::class, "This KProducer is closed; create a new one") { id ->
            closed(id).sendAsync(ProducerRecord("any", "k", "v")).await()
        }
        case("offer after close", IllegalStateException::class, "This KProducer is closed; create a new one") { id ->
            closed(id).offer(ProducerRecord("any", "k", "v"))
        }
        case("sendAll after close", IllegalStateException::class, "This KProducer is closed; create a new one") { id ->
            closed(id).sendAll(listOf(ProducerRecord("any", "k", "v")))
        }
        case("flush after close", IllegalStateException::class, "This KProducer is closed; create a new one") { id ->
            closed(id).flush()
        }
        case("transaction after close", IllegalStateException::class, "This KProducer is closed; create a new one") { id ->
            producer(id) { transactionalId = "tx-after-close" }.also { it.close() }.transaction { send("any", "k", "v") }
        }
        case(
            "transaction without a transactional id",
            IllegalStateException::class,
            "transaction { } needs a transactional producer: set transactionalId",
        ) { id ->
            kafka.createTopic("not-transactional")
            producer(id).use { it.transaction { send("not-transactional", "k", "v") } }
        }
        case("send outside a transaction on a transactional producer", IllegalStateException::class, "send inside producer.transaction { ... }") { id ->
            producer(id) { transactionalId = "tx-outside" }.use { it.send("any", "k", "v") }
        }
        case("nested transaction", IllegalStateException::class, "transaction { } cannot be nested on the same producer") { id ->
            kafka.createTopic("nested")
            producer(id) { transactionalId = "tx-nested" }.use { p -> p.transaction { p.transaction { send("nested", "k", "v") } } }
        }
        case("negative close timeout", IllegalArgumentException::class, "close timeout must not be negative") { id ->
            producer(id).use { it.close((-1).seconds) }
        }

        test("at least 25 kinds of bad input are tried") {
            (cases.size >= 25) shouldBe true
        }

        withTests(nameFn = { "bad input: ${it.name} fails clearly, without hanging, and leaves no thread" }, ts = cases) { case ->
            val clientId = "bad-input-${ids.incrementAndGet()}"
            val error =
                withTimeout(30.seconds) {
                    withContext(Dispatchers.Default) {
                        runCatching { case.block(clientId) }.exceptionOrNull()
                    }
                }
            withClue("${case.name} must fail") { (error != null) shouldBe true }
            error!! should beInstanceOf(case.type)
            case.fragments.forEach { error.message shouldContain it }
            kafkaClientThreads(clientId).shouldBeEmpty()
        }

        test("close twice is a no-op, not an error, and leaves no thread") {
            val clientId = "bad-input-close-twice"
            val producer = producer(clientId)
            producer.close()
            producer.close()
            producer.isClosed shouldBe true
            kafkaClientThreads(clientId).shouldBeEmpty()
        }
    })
