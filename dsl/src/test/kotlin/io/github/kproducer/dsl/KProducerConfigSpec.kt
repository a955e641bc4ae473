package io.github.kproducer.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.maps.shouldContain
import io.kotest.matchers.maps.shouldNotContainKey
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.types.shouldBeInstanceOf
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.common.config.ConfigException
import org.apache.kafka.common.config.types.Password
import org.apache.kafka.common.security.auth.SecurityProtocol
import org.apache.kafka.common.serialization.ByteArraySerializer
import org.apache.kafka.common.serialization.ByteBufferSerializer
import org.apache.kafka.common.serialization.BytesSerializer
import org.apache.kafka.common.serialization.DoubleSerializer
import org.apache.kafka.common.serialization.FloatSerializer
import org.apache.kafka.common.serialization.IntegerSerializer
import org.apache.kafka.common.serialization.LongSerializer
import org.apache.kafka.common.serialization.ShortSerializer
import org.apache.kafka.common.serialization.StringSerializer
import org.apache.kafka.common.serialization.UUIDSerializer
import org.apache.kafka.common.utils.Bytes
import java.nio.ByteBuffer
import java.util.UUID
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

private data class Order(
    val id: String,
)

/** A serializer Kafka could make from its class name: public, with a no-argument constructor. */
class OrderSerializer : org.apache.kafka.common.serialization.Serializer<Any> {
    override fun serialize(
        topic: String?,
        data: Any?,
    ): ByteArray? = (data as? Order)?.let { "order:${it.id}".toByteArray() }
}

class KProducerConfigSpec :
    FunSpec({
        test("serializers are inferred from the key and value types for Kafka's built-in types") {
            fun <T> check(
                settings: KProducerSettings<T, T>,
                expected: Class<*>,
            ) {
                settings.keySerializer.javaClass shouldBe expected
                settings.valueSerializer.javaClass shouldBe expected
            }
            check(kafkaProducerSettings<String, String> { bootstrapServers = "b:9092" }, StringSerializer::class.java)
            check(kafkaProducerSettings<ByteArray, ByteArray> { bootstrapServers = "b:9092" }, ByteArraySerializer::class.java)
            check(kafkaProducerSettings<Int, Int> { bootstrapServers = "b:9092" }, IntegerSerializer::class.java)
            check(kafkaProducerSettings<Long, Long> { bootstrapServers = "b:9092" }, LongSerializer::class.java)
            check(kafkaProducerSettings<Short, Short> { bootstrapServers = "b:9092" }, ShortSerializer::class.java)
            check(kafkaProducerSettings<Double, Double> { bootstrapServers = "b:9092" }, DoubleSerializer::class.java)
            check(kafkaProducerSettings<Float, Float> { bootstrapServers = "b:9092" }, FloatSerializer::class.java)
            check(kafkaProducerSettings<UUID, UUID> { bootstrapServers = "b:9092" }, UUIDSerializer::class.java)
            check(kafkaProducerSettings<ByteBuffer, ByteBuffer> { bootstrapServers = "b:9092" }, ByteBufferSerializer::class.java)
            check(kafkaProducerSettings<Bytes, Bytes> { bootstrapServers = "b:9092" }, BytesSerializer::class.java)
            check(kafkaProducerSettings<String?, String?> { bootstrapServers = "b:9092" }, StringSerializer::class.java)
            // The same inference, public for code that picks a serializer by a runtime class (the Spring Boot starter).
            builtInSerializer(Long::class.javaObjectType).shouldBeInstanceOf<LongSerializer>()
            builtInSerializer(ByteBuffer.allocate(1).asReadOnlyBuffer().javaClass).shouldBeInstanceOf<ByteBufferSerializer>()
            builtInSerializer(Order::class.java) shouldBe null
        }

        test("a type without a built-in serializer needs one, and the error says which and how") {
            val error = shouldThrow<KProducerConfigException> { kafkaProducerSettings<String, Order> { bootstrapServers = "b:9092" } }
            error.problems shouldHaveSize 1
            error.message shouldContain "no valueSerializer for value type io.github.kproducer.dsl.Order"
            error.message shouldContain "set valueSerializer(...)"

            val settings =
                kafkaProducerSettings<String, Order> {
                    bootstrapServers = "b:9092"
                    valueSerializer { _, order -> order.id.toByteArray() }
                }
            String(settings.valueSerializer.serialize("t", Order("o-1"))) shouldBe "o-1"
            settings.valueSerializer.serialize("t", null) shouldBe null
        }

        test("every problem of a configuration is reported at once, each with its fix") {
            val error =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        acks = Acks.LEADER
                        idempotence = true
                        maxInFlight = 6
                        linger = (-1).milliseconds
                        batchSize = -5
                        property("lingr.ms", 10)
                        property("some.thing.unheard.of", 1)
                    }
                }
            val message = error.message!!
            message shouldContain "bootstrapServers is not set"
            message shouldContain "idempotence = true needs acks = Acks.ALL, but acks is LEADER"
            message shouldContain "idempotence = true allows at most 5 requests in flight, but maxInFlight is 6"
            message shouldContain "linger must not be negative, was -1ms"
            message shouldContain "batchSize must be at least 0, was -5"
            message shouldContain "unknown producer property 'lingr.ms'; did you mean 'linger.ms'?"
            message shouldContain "unknown producer property 'some.thing.unheard.of' (a setting read by your own plugin goes in pluginProperty"
            error.problems shouldHaveSize 7
            error.shouldBeInstanceOf<ConfigException>()
        }

        test("a transactional id contradicts disabled idempotence and acks other than all") {
            val error =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "b:9092"
                        transactionalId = "payments-1"
                        idempotence = false
                        acks = Acks.LEADER
                        retries = 0
                    }
                }
            error.problems shouldContain "transactionalId needs idempotence, but idempotence = false; remove idempotence = false"
            error.problems shouldContain "transactionalId (which needs idempotence) needs acks = Acks.ALL, but acks is LEADER"
            error.problems shouldContain "transactionalId (which needs idempotence) needs retries > 0, but retries is 0"
        }

        test("a delivery timeout set shorter than linger plus request timeout is refused; Kafka's default is raised to it, as Kafka does") {
            shouldThrow<KProducerConfigException> {
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "b:9092"
                    deliveryTimeout = 10.seconds
                    linger = 1.seconds
                    requestTimeout = 30.seconds
                }
            }.problems.single() shouldContain "deliveryTimeout 10000ms must be at least linger + requestTimeout = 31000ms"

            // Kafka runs this (it raises its default delivery timeout with a warning); kproducer states the raised value.
            val raised =
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "127.0.0.1:9092"
                    requestTimeout = 2.5.minutesAsDuration()
                }
            // linger (Kafka's default 5 ms) + requestTimeout
            raised.properties shouldContain ("delivery.timeout.ms" to 150_005)
            KafkaProducer(raised.properties, raised.keySerializer, raised.valueSerializer).close()
        }

        test("bootstrap servers are parsed as Kafka parses them: IPv6 in brackets and a protocol prefix are fine") {
            val settings =
                kafkaProducerSettings<String, String> { bootstrapServers = "[::1]:9092, SASL_SSL://broker-1.example.com:9093,10.0.0.7:9094" }
            KafkaProducer(settings.properties, settings.keySerializer, settings.valueSerializer).close()
            val error = shouldThrow<KProducerConfigException> { kafkaProducerSettings<String, String> { bootstrapServers = "broker:, :9092,host" } }
            error.problems shouldHaveSize 3
            error.problems shouldContain "bootstrapServers entry 'host' is not host:port (an IPv6 address goes in brackets: [::1]:9092)"
        }

        test("bootstrap servers as a List, the form Spring Boot passes and Kafka accepts, are accepted too") {
            val servers = listOf("127.0.0.1:9092", "[::1]:9093", "10.0.0.7:9094")
            KafkaProducer<String, String>(mapOf<String, Any>("bootstrap.servers" to servers), StringSerializer(), StringSerializer()).close()
            val settings = kafkaProducerSettings<String, String> { property("bootstrap.servers", servers) }
            settings.bootstrapServers shouldBe "127.0.0.1:9092,[::1]:9093,10.0.0.7:9094"
            KafkaProducer(settings.properties, settings.keySerializer, settings.valueSerializer).close()
            val error =
                shouldThrow<KProducerConfigException> { kafkaProducerSettings<String, String> { property("bootstrap.servers", listOf("ok:9092", "host")) } }
            error.problems shouldBe listOf("bootstrapServers entry 'host' is not host:port (an IPv6 address goes in brackets: [::1]:9092)")
        }

        test("every ConfigDef type in the forms Spring Boot passes (strings, lists, class names) is accepted, as Kafka's client accepts it") {
            val asBootPassesThem: Map<String, Any> =
                mapOf(
                    "bootstrap.servers" to listOf("127.0.0.1:9092", "127.0.0.1:9093"), // LIST as a List
                    "acks" to "-1", // STRING
                    "linger.ms" to "5", // LONG as a string
                    "batch.size" to "32768", // INT as a string
                    "buffer.memory" to 33554432L, // LONG as a Long
                    "enable.idempotence" to "true", // BOOLEAN as a string
                    "max.in.flight.requests.per.connection" to 5, // INT as an Int
                    "retries" to "2147483647",
                    "compression.type" to "lz4",
                    "partitioner.class" to "org.apache.kafka.clients.producer.RoundRobinPartitioner", // CLASS as a name
                    "interceptor.classes" to "", // LIST as an empty string
                    "metadata.max.age.ms" to "300000",
                    "ssl.key.password" to Password("secret"), // PASSWORD as Kafka's own type
                    "client.id" to "payments",
                )
            KafkaProducer(asBootPassesThem, StringSerializer(), StringSerializer()).close()
            val settings = kafkaProducerSettings<String, String> { asBootPassesThem.forEach { (key, value) -> property(key, value) } }
            KafkaProducer(settings.properties, settings.keySerializer, settings.valueSerializer).close()
        }

        test("a serializer property serializes as Kafka would make it; one that contradicts the serializer set is a named problem") {
            // A property alone is what Kafka reads: kproducer makes that serializer, for a type without a built-in one too.
            val order =
                kafkaProducerSettings<String, Order> {
                    bootstrapServers = "b:9092"
                    property("value.serializer", OrderSerializer::class.java.name)
                }
            order.valueSerializer.serialize("t", Order("o-1")) shouldBe "order:o-1".toByteArray()
            // Over a serializer inferred from the type, the property wins, as it would in Kafka.
            val inferred =
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "b:9092"
                    property("value.serializer", ByteArraySerializer::class.java)
                }
            @Suppress("UNCHECKED_CAST")
            (inferred.valueSerializer as org.apache.kafka.common.serialization.Serializer<Any?>).serialize("t", byteArrayOf(7)) shouldBe byteArrayOf(7)
            // The same class as the serializer set: no contradiction.
            kafkaProducerSettings<String, String> {
                bootstrapServers = "b:9092"
                valueSerializer(StringSerializer())
                property("value.serializer", StringSerializer::class.java.name)
            }
            val error =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "b:9092"
                        keySerializer { _, key -> key.toByteArray() }
                        valueSerializer(StringSerializer())
                        property("key.serializer", StringSerializer::class.java.name)
                        property("value.serializer", ByteArraySerializer::class.java)
                    }
                }
            error.problems shouldBe
                listOf(
                    "'key.serializer' is org.apache.kafka.common.serialization.StringSerializer, but keySerializer is a lambda; " +
                        "Kafka would use the keySerializer and ignore the property: keep one (remove property(\"key.serializer\", ...) or the keySerializer)",
                    "'value.serializer' is org.apache.kafka.common.serialization.ByteArraySerializer, but valueSerializer is " +
                        "org.apache.kafka.common.serialization.StringSerializer; " +
                        "Kafka would use the valueSerializer and ignore the property: keep one (remove property(\"value.serializer\", ...) or the valueSerializer)",
                )
            val wrong =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, Order> {
                        bootstrapServers = "b:9092"
                        property("key.serializer", "com.example.Missing")
                        property("value.serializer", Order::class.java)
                    }
                }
            wrong.problems shouldContain "'key.serializer' names com.example.Missing, which is not on the class path"
            wrong.problems shouldContain
                "'value.serializer' names ${Order::class.java.name}, which does not implement org.apache.kafka.common.serialization.Serializer"
        }

        test("what the rules accept at their edges, Kafka's own client accepts too") {
            // Each rule at its boundary: kproducer must not refuse a configuration that Kafka runs with.
            val edges: List<Pair<String, KProducerConfig<String, String>.() -> Unit>> =
                listOf(
                    "linger and delivery timeout at Int.MAX_VALUE ms" to {
                        linger = Int.MAX_VALUE.milliseconds
                        deliveryTimeout = Int.MAX_VALUE.milliseconds
                    },
                    "a buffer below the default max.request.size" to { bufferMemory = 512L * 1024 },
                    "a batch exactly the buffer's size" to {
                        bufferMemory = 64L * 1024
                        batchSize = 64 * 1024
                    },
                    "delivery timeout exactly linger + request timeout" to {
                        linger = 100.milliseconds
                        requestTimeout = 900.milliseconds
                        deliveryTimeout = 1.seconds
                    },
                    "idempotence with 5 requests in flight" to {
                        idempotence = true
                        maxInFlight = 5
                    },
                    "acks=1 without idempotence" to {
                        acks = Acks.LEADER
                        idempotence = false
                    },
                    "a transactional id with defaults" to { transactionalId = "edge-tx" },
                    "a compression level at the codec's bound" to {
                        compression = Compression.ZSTD
                        compressionLevel = 22
                    },
                    "zero durations" to {
                        linger = 0.milliseconds
                        maxBlock = 0.milliseconds
                        retryBackoff = 0.milliseconds
                    },
                )
            for ((name, configure) in edges) {
                val settings =
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "127.0.0.1:9092"
                        configure()
                    }
                io.kotest.assertions.withClue(name) {
                    KafkaProducer(settings.properties, settings.keySerializer, settings.valueSerializer).close()
                }
            }
        }

        test("what the rules refuse, Kafka refuses too, or it would fail every record, or it would silently have no effect") {
            fun refused(configure: KProducerConfig<String, String>.() -> Unit): KProducerConfigException =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "127.0.0.1:9092"
                        configure()
                    }
                }

            fun kafkaRefuses(properties: Map<String, Any>) {
                val error =
                    shouldThrow<org.apache.kafka.common.KafkaException> {
                        KafkaProducer(
                            properties + ("bootstrap.servers" to "127.0.0.1:9092"),
                            StringSerializer(),
                            StringSerializer(),
                        ).close()
                    }
                // Kafka wraps what its constructor refuses in "Failed to construct kafka producer".
                generateSequence<Throwable>(error) { it.cause }.any { it is ConfigException } shouldBe true
            }
            refused {
                idempotence = true
                acks = Acks.LEADER
            }
            kafkaRefuses(mapOf("enable.idempotence" to true, "acks" to "1"))
            refused {
                idempotence = true
                maxInFlight = 6
            }
            kafkaRefuses(mapOf("enable.idempotence" to true, "max.in.flight.requests.per.connection" to 6))
            refused {
                transactionalId = "t"
                idempotence = false
            }
            kafkaRefuses(mapOf("transactional.id" to "t", "enable.idempotence" to false))
            refused {
                deliveryTimeout = 1.seconds
                requestTimeout = 1.seconds
            }
            kafkaRefuses(mapOf("delivery.timeout.ms" to 1000, "request.timeout.ms" to 1000))
            // A batch larger than the buffer: Kafka builds the producer, then BufferPool.allocate refuses every new batch.
            refused {
                bufferMemory = 32L * 1024
                batchSize = 64 * 1024
            }.problems.single() shouldContain "one batch must fit in the buffer"
            // No effect, silently, in Kafka: a transaction timeout without transactions, a level without a codec.
            refused { transactionTimeout = 10.seconds }.problems.single() shouldContain "has no effect without transactionalId"
            refused { compressionLevel = 3 }.problems.single() shouldContain "needs a compression with levels"
        }

        test("the key and value serializers are configured with the properties, plugin properties included, as Kafka would") {
            class Recording<T> : org.apache.kafka.common.serialization.Serializer<T> {
                var configured: Map<String, *>? = null
                var isKey: Boolean? = null

                override fun configure(
                    configs: MutableMap<String, *>,
                    isKey: Boolean,
                ) {
                    configured = HashMap(configs)
                    this.isKey = isKey
                }

                override fun serialize(
                    topic: String,
                    data: T?,
                ): ByteArray? = data?.toString()?.toByteArray()
            }
            val keys = Recording<String>()
            val values = Recording<Order>()
            kafkaProducer<String, Order> {
                bootstrapServers = "127.0.0.1:9092"
                clientId = "configured"
                keySerializer(keys)
                valueSerializer(values)
                pluginProperty("schema.registry.url", "http://registry:8081")
            }.close()
            keys.isKey shouldBe true
            values.isKey shouldBe false
            keys.configured!!["schema.registry.url"] shouldBe "http://registry:8081"
            values.configured!!["schema.registry.url"] shouldBe "http://registry:8081"
            values.configured!!["client.id"] shouldBe "configured"
        }

        test("a setting given both typed and raw is refused, and Kafka's own value checks apply to raw properties") {
            val error =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "b:9092"
                        acks = Acks.ALL
                        property("acks", "1")
                    }
                }
            error.problems.single() shouldContain "'acks' is set twice: by acks and by property(\"acks\", ...)"

            val invalid =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        property("bootstrap.servers", "b:9092")
                        property("acks", "2")
                    }
                }
            invalid.problems.single() shouldContain "Kafka rejects a value"
            invalid.problems.single() shouldContain "acks"
        }

        test("compression levels must belong to the codec") {
            shouldThrow<KProducerConfigException> {
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "b:9092"
                    compression = Compression.GZIP
                    compressionLevel = 12
                }
            }.problems.single() shouldBe "compressionLevel for GZIP must be in 1..9, was 12"
            shouldThrow<KProducerConfigException> {
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "b:9092"
                    compressionLevel = 3
                }
            }.problems.single() shouldContain "compressionLevel 3 needs a compression with levels"
            kafkaProducerSettings<String, String> {
                bootstrapServers = "b:9092"
                compression = Compression.ZSTD
                compressionLevel = 19
            }.properties shouldContain ("compression.zstd.level" to 19)
        }

        test("SASL needs a protocol and complete credentials") {
            val error =
                shouldThrow<KProducerConfigException> {
                    kafkaProducerSettings<String, String> {
                        bootstrapServers = "b:9092"
                        sasl {
                            mechanism = SaslMechanism.SCRAM_SHA_512
                            username = "alice"
                        }
                    }
                }
            error.problems shouldContain
                "sasl { } needs securityProtocol: set securityProtocol = SecurityProtocol.SASL_SSL (or SASL_PLAINTEXT for a local test cluster)"
            error.problems shouldContain "sasl { } needs password: password = \"...\""
        }

        test("passwords, key material and JAAS configs never appear in toString") {
            val settings =
                kafkaProducerSettings<String, String> {
                    bootstrapServers = "b:9092"
                    securityProtocol = SecurityProtocol.SASL_SSL
                    sasl {
                        mechanism = SaslMechanism.SCRAM_SHA_512
                        username = "alice"
                        password = "s3cr3t-sasl"
                    }
                    ssl {
                        truststoreLocation = "/etc/kafka/truststore.jks"
                        truststorePassword = "s3cr3t-trust"
                        keystoreLocation = "/etc/kafka/keystore.jks"
                        keystorePassword = "s3cr3t-keystore"
                    }
                    property("ssl.key.password", "s3cr3t-key")
                    pluginProperty("schema.registry.basic.auth.user.info.password", "s3cr3t-plugin")
                }
            val text = settings.toString()
            listOf("s3cr3t-sasl", "s3cr3t-trust", "s3cr3t-keystore", "s3cr3t-key", "s3cr3t-plugin").forEach { text shouldNotContain it }
            text shouldContain "sasl.jaas.config=[hidden]"
            text shouldContain "ssl.truststore.location=/etc/kafka/truststore.jks"
            val jaas = settings.properties.getValue("sasl.jaas.config") as Password
            jaas.value() shouldBe "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"s3cr3t-sasl\";"
            settings.properties shouldContain ("sasl.mechanism" to "SCRAM-SHA-512")
        }

        test("idempotence is always stated, so that Kafka cannot switch it off silently") {
            kafkaProducerSettings<String, String> {
                bootstrapServers = "b:9092"
                acks = Acks.LEADER
            }.properties shouldContain ("enable.idempotence" to false)
            kafkaProducerSettings<String, String> { bootstrapServers = "b:9092" }.properties shouldContain ("enable.idempotence" to true)
        }

        test("presets are starting points that later settings override") {
            val reliable =
                kafkaProducerSettings<String, String> {
                    reliable()
                    bootstrapServers = "b:9092"
                    linger = 1.milliseconds
                }
            reliable.properties shouldContain ("acks" to "all")
            reliable.properties shouldContain ("enable.idempotence" to true)
            reliable.properties shouldContain ("compression.type" to "lz4")
            reliable.properties shouldContain ("linger.ms" to 1L)

            val logs =
                kafkaProducerSettings<String, String> {
                    highThroughput()
                    bootstrapServers = "b:9092"
                }
            logs.properties shouldContain ("acks" to "1")
            logs.properties shouldContain ("compression.type" to "zstd")
            val fast =
                kafkaProducerSettings<String, String> {
                    lowLatency()
                    bootstrapServers = "b:9092"
                }
            fast.properties shouldContain ("linger.ms" to 0L)
            fast.properties shouldNotContainKey "batch.size"
        }

        test("validated settings are accepted by the Kafka client as they are") {
            val settings =
                kafkaProducerSettings<String, String> {
                    reliable()
                    bootstrapServers("127.0.0.1:9092", "127.0.0.1:9093")
                    clientId = "config-spec"
                    retryBackoff = 50.milliseconds
                    maxBlock = 2.seconds
                    bufferMemory = 8L * 1024 * 1024
                    transactionalId = "tx-1"
                    transactionTimeout = 30.seconds
                }
            settings.bootstrapServers shouldBe "127.0.0.1:9092,127.0.0.1:9093"
            KafkaProducer(settings.properties, settings.keySerializer, settings.valueSerializer).close()
        }
    })

private fun Double.minutesAsDuration() = (this * 60).seconds
