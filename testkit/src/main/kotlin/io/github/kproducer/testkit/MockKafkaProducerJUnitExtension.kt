package io.github.kproducer.testkit

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import io.github.kproducer.testkit.internal.builtInSerializer
import org.apache.kafka.common.serialization.Serializer
import org.junit.jupiter.api.extension.AfterEachCallback
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolutionException
import org.junit.jupiter.api.extension.ParameterResolver
import org.junit.platform.commons.support.ReflectionSupport
import java.lang.reflect.Modifier
import java.lang.reflect.ParameterizedType
import java.lang.reflect.Type
import java.util.function.Consumer
import kotlin.reflect.KClass

/**
 * How [MockKafkaProducerJUnitExtension] builds the mock of one test parameter: its topics (each with
 * [partitions] partitions), completion, transactional id and serializers, or a [factory] method of
 * the test class that builds it. Without it the mock has the extension's configuration (see
 * [MockKafkaProducerJUnitExtension.create]; by default that of [MockKafkaProducerConfig]) and
 * Kafka's built-in serializers for its type arguments. An option left at its default keeps the
 * extension's configuration; one set here overrides it.
 *
 * ```java
 * @Test
 * void retries(@MockProducerOptions(topics = "payments", partitions = 3, completion = Completion.MANUAL)
 *              MockKafkaProducer<String, Long> producer) { ... }
 * ```
 */
@Target(AnnotationTarget.VALUE_PARAMETER)
@Retention(AnnotationRetention.RUNTIME)
@MustBeDocumented
public annotation class MockProducerOptions(
    /** Topics to declare, each with [partitions] partitions. */
    val topics: Array<String> = [],
    /** Partitions of each of [topics]. */
    val partitions: Int = 1,
    /** Whether sends complete by themselves or when the test completes them. */
    val completion: Completion = Completion.AUTOMATIC,
    /** Whether a send to an undeclared topic creates it (as `auto.create.topics.enable`). */
    val autoCreateTopics: Boolean = true,
    /** A transactional id, which enables the transactional methods; empty for none. */
    val transactionalId: String = "",
    /** The key serializer (with a no-argument constructor); `Serializer::class` takes the built-in one for the key type. */
    val keySerializer: KClass<out Serializer<*>> = Serializer::class,
    /** The value serializer (with a no-argument constructor); `Serializer::class` takes the built-in one for the value type. */
    val valueSerializer: KClass<out Serializer<*>> = Serializer::class,
    /**
     * The name of a method of the test class (static or not, without parameters) that returns the
     * `MockKafkaProducer` to inject, for what the other options cannot say (a partitioner,
     * interceptors, a clock); the extension closes it after the test. Empty for none; when set, no
     * other option may be.
     */
    val factory: String = "",
)

/**
 * JUnit 5 extension that injects a fresh [MockKafkaProducer] into each test method parameter of that
 * type, built from its type arguments (Kafka's built-in serializers for `MockKafkaProducer<String, Long>`)
 * and [MockProducerOptions], and closes it after the test (pending records fail, the callback thread
 * stops). Register it with `@ExtendWith(MockKafkaProducerJUnitExtension.class)`.
 *
 * Resolution fails, naming the parameter, for a raw `MockKafkaProducer`, a type argument with no
 * built-in serializer and no serializer in the annotation, invalid options, or a
 * [MockProducerOptions.factory] that is missing, takes parameters, returns something else or throws.
 *
 * Registered with `@RegisterExtension` from [create], it applies one configuration to every mock it
 * injects, before the options of each parameter.
 *
 * Resolution runs on the test's thread, before the test; nothing in it blocks.
 */
public class MockKafkaProducerJUnitExtension private constructor(
    private val defaults: Consumer<MockKafkaProducerConfig>?,
) : ParameterResolver,
    AfterEachCallback {
    /** Creates the extension with the mock's default configuration, for `@ExtendWith`. */
    public constructor() : this(null)

    override fun supportsParameter(
        parameterContext: ParameterContext,
        extensionContext: ExtensionContext,
    ): Boolean = parameterContext.parameter.type == MockKafkaProducer::class.java

    override fun resolveParameter(
        parameterContext: ParameterContext,
        extensionContext: ExtensionContext,
    ): Any {
        val parameter = parameterContext.parameter
        val name =
            "${if (parameter.isNamePresent) "'${parameter.name}'" else "#${parameterContext.index}"} of ${parameter.declaringExecutable.name}()"
        val options = parameterContext.findAnnotation(MockProducerOptions::class.java).orElse(null)
        val arguments =
            (parameter.parameterizedType as? ParameterizedType)?.actualTypeArguments
                ?: throw ParameterResolutionException(
                    "Parameter $name is a raw MockKafkaProducer: give its key and value types (MockKafkaProducer<String, String>) " +
                        "so that the extension can pick their serializers.",
                )
        val producer =
            if (options != null && options.factory.isNotEmpty()) {
                fromFactory(options, name, extensionContext)
            } else {
                try {
                    MockKafkaProducer(
                        serializer(options?.keySerializer, arguments[0], "key", name),
                        serializer(options?.valueSerializer, arguments[1], "value", name),
                    ) {
                        defaults?.accept(this)
                        if (options != null) applyOptions(options)
                    }
                } catch (e: IllegalArgumentException) {
                    throw ParameterResolutionException("Cannot create the MockKafkaProducer of parameter $name: ${e.message}", e)
                }
            }
        opened(extensionContext).add(producer)
        return producer
    }

    /** Closes the mocks of the test that just ran. */
    override fun afterEach(context: ExtensionContext) {
        opened(context).forEach { runCatching { it.close() } }
    }

    private fun MockKafkaProducerConfig.applyOptions(options: MockProducerOptions) {
        options.topics.forEach { topic(it, options.partitions) }
        if (options.completion != Completion.AUTOMATIC) completion = options.completion
        if (!options.autoCreateTopics) autoCreateTopics = false
        if (options.transactionalId.isNotEmpty()) transactionalId = options.transactionalId
    }

    private fun fromFactory(
        options: MockProducerOptions,
        parameter: String,
        context: ExtensionContext,
    ): MockKafkaProducer<*, *> {
        val alsoSet =
            listOfNotNull(
                "topics".takeIf { options.topics.isNotEmpty() },
                "partitions".takeIf { options.partitions != 1 },
                "completion".takeIf { options.completion != Completion.AUTOMATIC },
                "autoCreateTopics".takeIf { !options.autoCreateTopics },
                "transactionalId".takeIf { options.transactionalId.isNotEmpty() },
                "keySerializer".takeIf { options.keySerializer != Serializer::class },
                "valueSerializer".takeIf { options.valueSerializer != Serializer::class },
            )
        if (alsoSet.isNotEmpty()) {
            throw ParameterResolutionException(
                "Parameter $parameter names factory = \"${options.factory}\" and also sets ${alsoSet.joinToString()}: " +
                    "the factory builds the whole mock, so configure it there and remove the other options.",
            )
        }
        val testClass = context.requiredTestClass
        val method =
            ReflectionSupport.findMethod(testClass, options.factory).orElseThrow {
                ParameterResolutionException(
                    "Parameter $parameter names factory = \"${options.factory}\", but ${testClass.simpleName} has no method " +
                        "${options.factory}() without parameters: add one that returns the MockKafkaProducer to inject.",
                )
            }
        if (!MockKafkaProducer::class.java.isAssignableFrom(method.returnType)) {
            throw ParameterResolutionException(
                "Factory ${testClass.simpleName}.${method.name}() of parameter $parameter returns ${method.returnType.name}: " +
                    "it must return a MockKafkaProducer.",
            )
        }
        val target = if (Modifier.isStatic(method.modifiers)) null else context.requiredTestInstance
        val produced =
            try {
                ReflectionSupport.invokeMethod(method, target)
            } catch (e: Exception) {
                throw ParameterResolutionException("Factory ${testClass.simpleName}.${method.name}() of parameter $parameter threw $e", e)
            }
        return produced as? MockKafkaProducer<*, *>
            ?: throw ParameterResolutionException("Factory ${testClass.simpleName}.${method.name}() of parameter $parameter returned null.")
    }

    private fun serializer(
        chosen: KClass<out Serializer<*>>?,
        type: Type,
        role: String,
        parameter: String,
    ): Serializer<Any?> {
        @Suppress("UNCHECKED_CAST")
        if (chosen != null && chosen != Serializer::class) return chosen.java.getDeclaredConstructor().newInstance() as Serializer<Any?>
        val raw =
            when (type) {
                is Class<*> -> type

                is ParameterizedType -> type.rawType as Class<*>

                else -> throw ParameterResolutionException(
                    "The $role type of parameter $parameter is $type: use a concrete type, or name a serializer in @MockProducerOptions.",
                )
            }
        return builtInSerializer(raw)
    }

    private fun opened(context: ExtensionContext): MutableList<MockKafkaProducer<*, *>> {
        @Suppress("UNCHECKED_CAST")
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(context.uniqueId, { ArrayList<MockKafkaProducer<*, *>>() }, MutableList::class.java)
            as MutableList<MockKafkaProducer<*, *>>
    }

    /** Creates the extension with a configuration for every mock it injects. */
    public companion object {
        private val NAMESPACE: ExtensionContext.Namespace = ExtensionContext.Namespace.create(MockKafkaProducerJUnitExtension::class.java)

        /**
         * Creates the extension for `@RegisterExtension` with [configure] applied to every mock it
         * injects (topics, completion, a partitioner, interceptors, a clock...), before the
         * [MockProducerOptions] of each parameter; a [MockProducerOptions.factory]'s mock is the
         * factory's alone. [configure] runs on the test's thread for each mock, so it should not block.
         *
         * ```java
         * @RegisterExtension
         * static final MockKafkaProducerJUnitExtension MOCKS =
         *         MockKafkaProducerJUnitExtension.create(config -> config.topic("payments", 3));
         * ```
         */
        @JvmStatic
        public fun create(configure: Consumer<MockKafkaProducerConfig>): MockKafkaProducerJUnitExtension = MockKafkaProducerJUnitExtension(configure)
    }
}
