package io.github.kproducer.testkit

import io.github.kproducer.testkit.internal.SequenceRefusals
import io.kotest.core.extensions.MountableExtension
import io.kotest.core.extensions.TestCaseExtension
import io.kotest.core.listeners.AfterEachListener
import io.kotest.core.listeners.AfterProjectListener
import io.kotest.core.listeners.AfterSpecListener
import io.kotest.core.listeners.BeforeProjectListener
import io.kotest.core.spec.Spec
import io.kotest.core.test.TestCase
import io.kotest.engine.test.TestResult
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Kotest extension that gives a spec (or every spec of a project) a running [EmbeddedKafka].
 *
 * Per spec, the broker starts when the spec installs the extension and stops after the spec:
 * ```
 * class OrdersSpec : FunSpec({
 *     val kafka = install(EmbeddedKafkaExtension()) { brokers = 3 }
 *     test("...") { kafka.createTopic("orders", partitions = 3) }
 * })
 * ```
 *
 * Per project, one broker serves every spec: create the extension with [Lifecycle.PROJECT] and its
 * configuration, register it in the project config, and install the same instance in each spec:
 * ```
 * val sharedKafka = EmbeddedKafkaExtension(Lifecycle.PROJECT) { brokers = 1 }
 * class ProjectConfig : AbstractProjectConfig() { override val extensions = listOf(sharedKafka) }
 * class OrdersSpec : FunSpec({ val kafka = install(sharedKafka) })
 * ```
 * The shared broker starts when the first spec installs it and stops after the project.
 *
 * Specs that run in parallel each get their own cluster (own ports, own data directory) unless
 * they share a project-wide one. After each test it closes the fault scopes
 * ([EmbeddedKafka.faults]) left open, so a fault never outlives its test.
 *
 * A test that fails after a broker refused an idempotent producer's retry with
 * `OUT_OF_ORDER_SEQUENCE_NUMBER` (records written behind a first request that failed: KAFKA-15591,
 * which a raw producer meets on a topic it produces to right after its creation) fails with a message
 * that says so and gives the fix, its own failure as the cause. The brokers' refusals are seen in their
 * log, so this needs Logback as the SLF4J binding of the tests. Thread-safe.
 */
public class EmbeddedKafkaExtension(
    private val lifecycle: Lifecycle = Lifecycle.SPEC,
    private val configure: EmbeddedKafkaConfig.() -> Unit = {},
) : MountableExtension<EmbeddedKafkaConfig, EmbeddedKafka>,
    AfterSpecListener,
    AfterEachListener,
    BeforeProjectListener,
    AfterProjectListener,
    TestCaseExtension {
    /** When the cluster of an [EmbeddedKafkaExtension] starts and stops. */
    public enum class Lifecycle {
        /** A cluster per spec: started when the spec installs the extension, closed after the spec. */
        SPEC,

        /** One cluster for the project: started on the first install, closed after the project. */
        PROJECT,
    }

    private val started = CopyOnWriteArrayList<EmbeddedKafka>()

    @Volatile private var registeredInProject = false

    /**
     * Starts (or, for [Lifecycle.PROJECT], returns the shared) cluster; called by Kotest's `install`.
     *
     * Blocks while the brokers start.
     *
     * @throws IllegalStateException for a project-wide extension that is not registered in the
     *   project config, or that is installed with a different configuration than it was created with.
     * @throws EmbeddedKafkaStartupException when the cluster cannot start.
     */
    override fun mount(configure: EmbeddedKafkaConfig.() -> Unit): EmbeddedKafka {
        val settings =
            EmbeddedKafkaConfig()
                .apply(this.configure)
                .apply(configure)
                .build()
        return when (lifecycle) {
            Lifecycle.SPEC -> EmbeddedKafka.start(settings).ownedBy(this).also { started += it }
            Lifecycle.PROJECT -> shared(settings)
        }
    }

    private fun shared(settings: EmbeddedKafkaSettings): EmbeddedKafka {
        check(registeredInProject) {
            "A project-wide EmbeddedKafkaExtension must be registered in the project config so that it is closed " +
                "after the project: add it to `override val extensions` of your AbstractProjectConfig, or use Lifecycle.SPEC."
        }
        synchronized(started) {
            val existing = started.firstOrNull() ?: return EmbeddedKafka.start(settings).ownedBy(this).also { started += it }
            check(existing.settings == settings) {
                "The project-wide EmbeddedKafka is already running with ${existing.settings}; configure it once, " +
                    "where the extension is created, and install it without a configuration block."
            }
            return existing
        }
    }

    /** Marks a project-wide extension as registered, so that [afterProject] will close it. */
    override suspend fun beforeProject() {
        registeredInProject = true
    }

    /**
     * Runs the test; when it fails after a broker refused an earlier sequence during it (KAFKA-15591),
     * returns the failure with that explained (an [AssertionError] whose cause is the test's own failure).
     */
    override suspend fun intercept(
        testCase: TestCase,
        execute: suspend (TestCase) -> TestResult,
    ): TestResult {
        val started = System.nanoTime()
        val result = execute(testCase)
        val failure = result.errorOrNull ?: return result
        val explained = SequenceRefusals.explain(failure, started, this) ?: return result
        return when (result) {
            is TestResult.Failure -> TestResult.Failure(result.duration, explained)
            is TestResult.Error -> TestResult.Error(result.duration, explained)
            else -> result
        }
    }

    /** Closes the fault scopes a test left open on the clusters of this extension. */
    override suspend fun afterEach(
        testCase: TestCase,
        result: TestResult,
    ) {
        started.forEach { it.healAllFaults() }
    }

    /** Closes the clusters this extension started for [spec] (per-spec lifecycle only). */
    override suspend fun afterSpec(spec: Spec) {
        if (lifecycle == Lifecycle.SPEC) closeAll()
    }

    /** Closes the project-wide cluster. */
    override suspend fun afterProject() {
        closeAll()
    }

    private fun closeAll() {
        val failures = mutableListOf<Throwable>()
        ArrayList(started).forEach { kafka ->
            runCatching { kafka.close() }.onFailure { failures += it }
            started -= kafka
        }
        failures.firstOrNull()?.let { first -> throw first.also { failures.drop(1).forEach(it::addSuppressed) } }
    }
}
