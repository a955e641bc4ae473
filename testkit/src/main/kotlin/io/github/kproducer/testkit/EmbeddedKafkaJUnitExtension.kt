package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.SequenceRefusals
import org.junit.jupiter.api.extension.AfterAllCallback
import org.junit.jupiter.api.extension.AfterEachCallback
import org.junit.jupiter.api.extension.BeforeAllCallback
import org.junit.jupiter.api.extension.BeforeEachCallback
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolver
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler
import java.util.function.Consumer

/**
 * JUnit 5 extension that starts an [EmbeddedKafka] before the tests of a class and closes it after
 * them, for Java (and Kotlin JUnit) tests.
 *
 * Register it on a static field to configure it and reach the cluster:
 * ```java
 * @RegisterExtension
 * static final EmbeddedKafkaJUnitExtension KAFKA = EmbeddedKafkaJUnitExtension.create(c -> c.brokers(3));
 * ... KAFKA.getKafka().getBootstrapServers() ...
 * ```
 * or use `@ExtendWith(EmbeddedKafkaJUnitExtension.class)` for a default one-broker cluster and take
 * an `EmbeddedKafka` parameter in a test method or constructor.
 *
 * Nested test classes share the cluster of their outermost class. Parallel test classes each get
 * their own cluster. After each test it closes the fault scopes ([EmbeddedKafka.faults]) left open.
 *
 * A test that throws after a broker refused an idempotent producer's retry with
 * `OUT_OF_ORDER_SEQUENCE_NUMBER` (records written behind a first request that failed: KAFKA-15591,
 * which a raw producer meets on a topic it produces to right after its creation) fails with an
 * `AssertionError` that says so and gives the fix, the test's own exception as its cause. The brokers'
 * refusals are seen in their log, so this needs Logback as the SLF4J binding of the tests.
 */
public class EmbeddedKafkaJUnitExtension private constructor(
    private val settings: EmbeddedKafkaSettings,
) : BeforeAllCallback,
    AfterAllCallback,
    AfterEachCallback,
    BeforeEachCallback,
    TestExecutionExceptionHandler,
    ParameterResolver {
    /** Creates an extension for the default one-broker cluster; used by `@ExtendWith`. */
    public constructor() : this(EmbeddedKafkaSettings.defaults())

    @Volatile private var running: EmbeddedKafka? = null
    private var owner: ExtensionContext? = null

    /**
     * The running cluster.
     *
     * @throws IllegalStateException outside the tests of the class that registered the extension.
     */
    public val kafka: EmbeddedKafka
        get() = running ?: throw IllegalStateException("The embedded Kafka cluster runs only while the tests of its class run")

    /** Starts the cluster for the outermost test class (blocks while the brokers start). */
    override fun beforeAll(context: ExtensionContext) {
        synchronized(this) {
            if (running != null) return
            running = EmbeddedKafka.start(settings).ownedBy(this)
            owner = context
        }
    }

    /** Notes when the test starts, for [handleTestExecutionException]. */
    override fun beforeEach(context: ExtensionContext) {
        context.getStore(NAMESPACE).put(STARTED, System.nanoTime())
    }

    /**
     * Rethrows [throwable], explained when a broker refused an earlier sequence during the test
     * (KAFKA-15591): then as an [AssertionError] whose cause is [throwable].
     */
    override fun handleTestExecutionException(
        context: ExtensionContext,
        throwable: Throwable,
    ) {
        val started = context.getStore(NAMESPACE).get(STARTED, java.lang.Long::class.java)?.toLong() ?: throw throwable
        throw SequenceRefusals.explain(throwable, started, this) ?: throwable
    }

    /** Closes the fault scopes the test left open. */
    override fun afterEach(context: ExtensionContext) {
        running?.healAllFaults()
    }

    /** Closes the cluster after the outermost test class. */
    override fun afterAll(context: ExtensionContext) {
        synchronized(this) {
            if (context != owner) return
            running?.close()
            running = null
            owner = null
        }
    }

    /** Resolves parameters of type [EmbeddedKafka] or [KafkaCluster]. */
    override fun supportsParameter(
        parameterContext: ParameterContext,
        extensionContext: ExtensionContext,
    ): Boolean = parameterContext.parameter.type.let { it == EmbeddedKafka::class.java || it == KafkaCluster::class.java }

    /** Returns the running cluster. */
    override fun resolveParameter(
        parameterContext: ParameterContext,
        extensionContext: ExtensionContext,
    ): Any = kafka

    /** Factories for Java. */
    public companion object {
        private val NAMESPACE = ExtensionContext.Namespace.create(EmbeddedKafkaJUnitExtension::class.java)
        private const val STARTED = "started"

        /** Creates an extension for a cluster configured by [configure], such as `c -> c.brokers(3)`. */
        @JvmStatic
        public fun create(configure: Consumer<EmbeddedKafkaConfig>): EmbeddedKafkaJUnitExtension =
            EmbeddedKafkaJUnitExtension(EmbeddedKafkaConfig().also(configure::accept).build())

        /** Creates an extension for a cluster with [settings]. */
        @JvmStatic
        public fun create(settings: EmbeddedKafkaSettings): EmbeddedKafkaJUnitExtension = EmbeddedKafkaJUnitExtension(settings)
    }
}
