package io.github.kproducer.spring.boot.test

import io.github.kproducer.testkit.EmbeddedKafka
import io.github.kproducer.testkit.EmbeddedKafkaConfig
import io.github.kproducer.testkit.EmbeddedKafkaSettings
import org.springframework.beans.factory.DisposableBean
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry
import org.springframework.context.ApplicationListener
import org.springframework.context.ConfigurableApplicationContext
import org.springframework.context.event.ContextClosedEvent
import org.springframework.core.env.MapPropertySource
import org.springframework.test.context.ContextCustomizer
import org.springframework.test.context.MergedContextConfiguration

/**
 * The values of one [AutoConfigureEmbeddedKafka], as a value: two annotations with the same attribute
 * values make equal attributes (arrays compare by content, in order). Immutable.
 */
internal data class EmbeddedKafkaAttributes(
    val brokers: Int,
    val partitions: Int,
    val faultProxy: Boolean,
    val topics: List<String>,
    val autoCreateTopics: Boolean,
    val brokerProperties: List<String>,
    val bootstrapServersProperty: String,
) {
    /**
     * The test kit's settings for these attributes.
     *
     * @throws IllegalArgumentException naming every invalid attribute, and every problem the test kit
     *   finds in the configuration.
     */
    fun settings(): EmbeddedKafkaSettings {
        val problems = ArrayList<String>()
        if (bootstrapServersProperty.isBlank()) problems += "bootstrapServersProperty must name a property, was \"$bootstrapServersProperty\""
        if (partitions < 1) problems += "partitions must be at least 1, was $partitions"
        topics.filter { it.isBlank() }.forEach { problems += "topics must be names, one was \"$it\"" }
        topics
            .groupingBy { it }
            .eachCount()
            .filterValues { it > 1 }
            .keys
            .forEach { problems += "topics lists \"$it\" more than once" }
        val properties = LinkedHashMap<String, String>()
        for (entry in brokerProperties) {
            val key = entry.substringBefore('=', missingDelimiterValue = "").trim()
            if (key.isEmpty()) {
                problems += "brokerProperties entries must be \"key=value\", one was \"$entry\""
            } else {
                properties[key] = entry.substringAfter('=').trim()
            }
        }
        require(problems.isEmpty()) { problems.joinToString("\n") { "  - $it" } }
        return EmbeddedKafkaConfig()
            .brokers(brokers)
            .defaultPartitions(partitions)
            .faultProxy(faultProxy)
            .autoCreateTopics(autoCreateTopics)
            .brokerProperties(properties)
            .build()
    }

    /**
     * How the annotation reads in a message: only the attributes that differ from their defaults, and
     * the broker properties without their values (which may be secrets).
     */
    override fun toString(): String {
        val parts = ArrayList<String>()
        if (brokers != 1) parts += "brokers = $brokers"
        if (partitions != 1) parts += "partitions = $partitions"
        if (faultProxy) parts += "faultProxy = true"
        if (topics.isNotEmpty()) parts += "topics = ${quoted(topics)}"
        if (!autoCreateTopics) parts += "autoCreateTopics = false"
        if (brokerProperties.isNotEmpty()) {
            parts +=
                "brokerProperties = ${quoted(brokerProperties.map { if ('=' in it) it.substringBefore('=') + "=..." else it })}"
        }
        if (bootstrapServersProperty != DEFAULT_PROPERTY) parts += "bootstrapServersProperty = \"$bootstrapServersProperty\""
        return "@${AutoConfigureEmbeddedKafka::class.java.simpleName}(${parts.joinToString(", ")})"
    }

    private fun quoted(values: List<String>): String = values.joinToString(", ", "{", "}") { "\"$it\"" }

    companion object {
        private const val DEFAULT_PROPERTY = "spring.kafka.bootstrap-servers"

        /** The attributes of [annotation]. */
        fun of(annotation: AutoConfigureEmbeddedKafka): EmbeddedKafkaAttributes =
            EmbeddedKafkaAttributes(
                brokers = annotation.brokers,
                partitions = annotation.partitions,
                faultProxy = annotation.faultProxy,
                topics = annotation.topics.toList(),
                autoCreateTopics = annotation.autoCreateTopics,
                brokerProperties = annotation.brokerProperties.toList(),
                bootstrapServersProperty = annotation.bootstrapServersProperty,
            )
    }
}

/**
 * Starts the embedded Kafka cluster of one [AutoConfigureEmbeddedKafka] for the context being prepared,
 * registers it as the singleton bean [BEAN_NAME], puts the property source [PROPERTY_SOURCE_NAME]
 * first, and has the context close the cluster when it closes.
 *
 * Its equality is that of [attributes]: Spring's context cache keys contexts by their customizers
 * among the rest, so test classes with equal annotations (and nothing else different) share one
 * context, and so one cluster.
 *
 * Immutable and thread-safe; [customizeContext] blocks while the brokers start (a few seconds).
 */
internal class EmbeddedKafkaContextCustomizer(
    val attributes: EmbeddedKafkaAttributes,
) : ContextCustomizer {
    /** The customizer of [annotation]'s attribute values; what `EmbeddedKafkaContextCustomizerFactory` (Java) calls. */
    constructor(annotation: AutoConfigureEmbeddedKafka) : this(EmbeddedKafkaAttributes.of(annotation))

    /**
     * Starts the cluster (and creates the topics), then registers it with [context].
     *
     * @throws IllegalStateException naming the annotation when the cluster cannot start or a topic
     *   cannot be created; the test kit's exception is its cause, and nothing is left running.
     */
    override fun customizeContext(
        context: ConfigurableApplicationContext,
        mergedConfig: MergedContextConfiguration,
    ) {
        val kafka = start(mergedConfig.testClass)
        try {
            register(context, kafka)
        } catch (e: Throwable) {
            kafka.close()
            throw e
        }
    }

    private fun start(testClass: Class<*>): EmbeddedKafka {
        val settings =
            try {
                attributes.settings()
            } catch (e: IllegalArgumentException) {
                throw failure(testClass, "is invalid:\n" + e.message.orEmpty().removePrefix("Invalid EmbeddedKafka configuration:\n"), e)
            }
        val kafka =
            try {
                EmbeddedKafka.start(settings)
            } catch (e: Exception) {
                throw failure(testClass, "could not start its embedded Kafka cluster ($settings): ${e.message}", e)
            }
        try {
            attributes.topics.forEach { kafka.createTopic(it, attributes.partitions) }
        } catch (e: Throwable) {
            kafka.close()
            if (e !is Exception && e !is AssertionError) throw e
            throw failure(testClass, "could not create its topics ${attributes.topics} on the embedded Kafka cluster: ${e.message}", e)
        }
        return kafka
    }

    private fun failure(
        testClass: Class<*>,
        what: String,
        cause: Throwable,
    ): IllegalStateException = IllegalStateException("$attributes on ${testClass.name} $what", cause)

    private fun register(
        context: ConfigurableApplicationContext,
        kafka: EmbeddedKafka,
    ) {
        val beanFactory = context.beanFactory
        beanFactory.registerSingleton(BEAN_NAME, kafka)
        // Registered before any bean of the context exists, so destroyed after all of them: the
        // application's clients close while their broker still answers.
        if (beanFactory is DefaultSingletonBeanRegistry) {
            beanFactory.registerDisposableBean(BEAN_NAME, DisposableBean { kafka.close() })
        } else {
            context.addApplicationListener(ApplicationListener<ContextClosedEvent> { kafka.close() })
        }
        context.environment.propertySources.addFirst(
            MapPropertySource(PROPERTY_SOURCE_NAME, mapOf<String, Any>(attributes.bootstrapServersProperty to kafka.bootstrapServers)),
        )
    }

    override fun equals(other: Any?): Boolean = other is EmbeddedKafkaContextCustomizer && attributes == other.attributes

    override fun hashCode(): Int = attributes.hashCode()

    override fun toString(): String = "EmbeddedKafkaContextCustomizer($attributes)"

    companion object {
        /** The name of the [EmbeddedKafka] bean. */
        const val BEAN_NAME: String = "embeddedKafka"

        /** The name of the property source that sets [AutoConfigureEmbeddedKafka.bootstrapServersProperty]. */
        const val PROPERTY_SOURCE_NAME: String = "kproducerEmbeddedKafka"
    }
}
