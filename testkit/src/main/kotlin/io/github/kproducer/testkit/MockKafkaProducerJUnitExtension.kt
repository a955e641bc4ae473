package io.github.kproducer.testkit

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion
import io.github.kproducer.testkit.internal.builtInSerializer
import org.apache.kafka.common.serialization.Serializer
import org.junit.jupiter.api.extension.AfterEachCallback
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolutionException
import org.junit.jupiter.api.extension.ParameterResolver
import java.lang.reflect.ParameterizedType
import java.lang.reflect.Type
import kotlin.reflect.KClass

/**
 * How [MockKafkaProducerJUnitExtension] builds the mock of one test parameter: its topics (each with
 * [partitions] partitions), completion, transactional id and serializers. Without it the mock has the
 * defaults of [MockKafkaProducerConfig] and Kafka's built-in serializers for its type arguments.
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
)

/**
 * JUnit 5 extension that injects a fresh [MockKafkaProducer] into each test method parameter of that
 * type, built from its type arguments (Kafka's built-in serializers for `MockKafkaProducer<String, Long>`)
 * and [MockProducerOptions], and closes it after the test (pending records fail, the callback thread
 * stops). Register it with `@ExtendWith(MockKafkaProducerJUnitExtension.class)`.
 *
 * Resolution fails, naming the parameter, for a raw `MockKafkaProducer`, a type argument with no
 * built-in serializer and no serializer in the annotation, or invalid options.
 */
public class MockKafkaProducerJUnitExtension :
    ParameterResolver,
    AfterEachCallback {
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
            try {
                MockKafkaProducer(
                    serializer(options?.keySerializer, arguments[0], "key", name),
                    serializer(options?.valueSerializer, arguments[1], "value", name),
                ) {
                    if (options != null) {
                        options.topics.forEach { topic(it, options.partitions) }
                        completion = options.completion
                        autoCreateTopics = options.autoCreateTopics
                        transactionalId = options.transactionalId.ifEmpty { null }
                    }
                }
            } catch (e: IllegalArgumentException) {
                throw ParameterResolutionException("Cannot create the MockKafkaProducer of parameter $name: ${e.message}", e)
            }
        opened(extensionContext).add(producer)
        return producer
    }

    /** Closes the mocks of the test that just ran. */
    override fun afterEach(context: ExtensionContext) {
        opened(context).forEach { runCatching { it.close() } }
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

    private companion object {
        val NAMESPACE: ExtensionContext.Namespace = ExtensionContext.Namespace.create(MockKafkaProducerJUnitExtension::class.java)
    }
}
