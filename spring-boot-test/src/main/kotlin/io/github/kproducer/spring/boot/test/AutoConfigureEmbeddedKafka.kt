package io.github.kproducer.spring.boot.test

import java.lang.annotation.Inherited

/**
 * Starts the test kit's embedded Kafka cluster (a real KRaft broker in this JVM) for the Spring test
 * context of the annotated test class, and points [bootstrapServersProperty] at it.
 *
 * ```java
 * @SpringBootTest
 * @AutoConfigureEmbeddedKafka(topics = "payments")
 * class PaymentsTest {
 *     @Autowired EmbeddedKafka kafka;
 *     @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers; // the broker's address
 * }
 * ```
 *
 * The cluster starts while the context is prepared, before any bean is created, and is registered
 * as the singleton bean `embeddedKafka` of type [io.github.kproducer.testkit.EmbeddedKafka]; a
 * property source named `kproducerEmbeddedKafka`, of the highest precedence, sets
 * [bootstrapServersProperty] to [io.github.kproducer.testkit.EmbeddedKafka.bootstrapServers]. No
 * `@DynamicPropertySource` is needed.
 *
 * The cluster lives exactly as long as its context: test classes whose contexts Spring's context cache
 * shares (same configuration, same attributes here) share one cluster, and it is closed, after every
 * other bean of the context is destroyed, when the context closes (the cache evicts it,
 * `@DirtiesContext`, or the JVM's shutdown hook). A different attribute value makes a different
 * context with its own cluster.
 *
 * It is found on the test class, its superclasses (it is [Inherited]), the enclosing classes of
 * `@Nested` test classes, and as a meta-annotation on a composed annotation.
 *
 * A cluster that cannot start (an invalid attribute, a broker property Kafka rejects, a timeout) fails
 * the context's loading with an [IllegalStateException] that names this annotation and the attribute
 * values, with the test kit's exception as its cause; nothing is left running.
 */
@Target(AnnotationTarget.CLASS)
@Retention(AnnotationRetention.RUNTIME)
@MustBeDocumented
@Inherited
public annotation class AutoConfigureEmbeddedKafka(
    /**
     * The number of brokers (each also a KRaft controller), 1 to 9: the test kit's
     * `EmbeddedKafkaConfig.brokers`. Default 1.
     */
    val brokers: Int = 1,
    /**
     * The partition count of automatically created topics (the test kit's
     * `EmbeddedKafkaConfig.defaultPartitions`, the broker's `num.partitions`) and of the [topics]
     * created at start. Default 1, the test kit's default.
     */
    val partitions: Int = 1,
    /**
     * Whether clients reach the brokers through the test kit's in-JVM fault proxy
     * (`EmbeddedKafkaConfig.faultProxy`). Default `false`. When `true`, [bootstrapServersProperty] is
     * the proxy's address, so the application's clients never bypass it, and tests inject faults
     * through the `EmbeddedKafka` bean: `kafka.faults(f -> f.produce("payments").respond(Errors.NOT_ENOUGH_REPLICAS))`,
     * closed with try-with-resources; a scope a test leaves open is closed after that test method, so the
     * next test on the cached context's cluster meets a healed proxy.
     */
    val faultProxy: Boolean = false,
    /**
     * Topics created when the cluster starts, each with [partitions] partitions and one replica; the
     * context is loaded once every partition of each serves produce requests. Default none.
     */
    val topics: Array<String> = [],
    /**
     * Whether producing to (or fetching metadata of) an unknown topic creates it, as the broker's
     * `auto.create.topics.enable` (the test kit's `EmbeddedKafkaConfig.autoCreateTopics`). Default `true`.
     */
    val autoCreateTopics: Boolean = true,
    /**
     * Extra broker properties, each `"key=value"` (split at the first `=`), such as
     * `"log.retention.ms=60000"`: the test kit's `EmbeddedKafkaConfig.brokerProperty`. The keys that wire
     * the cluster together (node id, listeners, quorum) are refused. Default none.
     */
    val brokerProperties: Array<String> = [],
    /**
     * The property set to the address clients must use (the proxy's with [faultProxy]). Default
     * `spring.kafka.bootstrap-servers`, which Spring Boot's Kafka support and the kproducer starter read.
     */
    val bootstrapServersProperty: String = "spring.kafka.bootstrap-servers",
)
