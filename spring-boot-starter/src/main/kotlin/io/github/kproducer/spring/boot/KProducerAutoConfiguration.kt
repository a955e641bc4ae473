package io.github.kproducer.spring.boot

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.dsl.sendTracer
import io.github.kproducer.spring.boot.internal.ConnectionDetailsConnection
import io.github.kproducer.spring.boot.internal.KProducerHealthIndicator
import io.github.kproducer.spring.boot.internal.KProducerLifecycle
import io.github.kproducer.spring.boot.internal.KProducerMeters
import io.github.kproducer.spring.boot.internal.KafkaConnection
import io.github.kproducer.spring.boot.internal.NamedProducers
import io.github.kproducer.spring.boot.internal.SpringKafkaProperties
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.observation.ObservationRegistry
import io.opentelemetry.api.OpenTelemetry
import org.springframework.beans.factory.ListableBeanFactory
import org.springframework.beans.factory.ObjectProvider
import org.springframework.boot.autoconfigure.AutoConfiguration
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass
import org.springframework.boot.context.properties.EnableConfigurationProperties
import org.springframework.boot.context.properties.bind.Bindable
import org.springframework.boot.context.properties.bind.Binder
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator
import org.springframework.boot.health.contributor.HealthIndicator
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.Configuration
import org.springframework.context.annotation.Import
import org.springframework.context.annotation.Primary
import org.springframework.core.Ordered
import org.springframework.core.annotation.Order
import org.springframework.core.env.Environment
import org.springframework.core.io.ResourceLoader

/**
 * Auto-configures kproducer in a Spring Boot 4 application: a [KProducerFactory], a `KProducer` bean named
 * `kproducer` (unless the application declares a `KProducer` bean of its own), one bean per
 * `kproducer.producers.<name>`, their close at shutdown, Micrometer meters and Observations, OpenTelemetry
 * tracing, and a health indicator, each when its library is on the class path. `kproducer.enabled=false` is the
 * application's switch to leave kproducer out of the context (as Boot's own starters offer), tested in
 * `KProducerAutoConfigurationTest`.
 *
 * Needs nothing of spring-kafka: `spring.kafka.*` is read directly. When Boot's Kafka module is there anyway,
 * its `KafkaConnectionDetails` (a `@ServiceConnection`'s broker) say where the brokers are.
 */
@AutoConfiguration
@ConditionalOnClass(KProducer::class)
@ConditionalOnBooleanProperty(name = ["kproducer.enabled"], matchIfMissing = true)
@EnableConfigurationProperties(KProducerProperties::class)
@Import(NamedProducers::class)
public class KProducerAutoConfiguration {
    /** The factory every starter producer comes from; see [KProducerFactory]. */
    @Bean
    @ConditionalOnMissingBean
    public fun kproducerFactory(
        properties: KProducerProperties,
        environment: Environment,
        resources: ResourceLoader,
        beans: ListableBeanFactory,
    ): KProducerFactory {
        val binder = Binder.get(environment)
        val shutdownPhase =
            binder
                .bind("spring.lifecycle.timeout-per-shutdown-phase", Bindable.of(java.time.Duration::class.java))
                .orElse(null) ?: KProducerLifecycle.DEFAULT_SHUTDOWN_PHASE
        return KProducerFactory(properties, SpringKafkaProperties(binder, resources), beans, shutdownPhase)
    }

    /**
     * The application's producer, of `Object` keys and values serialized by their runtime class; inject it as
     * `KProducer<String, Payment>`. Primary, so that it is the one injected where named producers exist too.
     */
    @Bean
    @Primary
    @ConditionalOnMissingBean(KProducer::class)
    public fun kproducer(factory: KProducerFactory): KProducer<*, *> = factory.create("kproducer")

    /** Closes the factory's producers at shutdown, within Boot's shutdown phase. */
    @Bean
    public fun kproducerLifecycle(factory: KProducerFactory): org.springframework.context.SmartLifecycle = KProducerLifecycle(factory)

    /** Meters for every `KProducer` bean, tagged `spring.id` with its bean name. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry::class)
    internal class Metrics {
        /** Binds the producers once all singletons exist. */
        @Bean
        public fun kproducerMeters(
            registry: ObjectProvider<MeterRegistry>,
            beans: ListableBeanFactory,
        ): org.springframework.beans.factory.SmartInitializingSingleton = KProducerMeters(registry, beans)
    }

    /** A Micrometer Observation per send when the application has an `ObservationRegistry`. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry::class)
    internal class Observations {
        /** Observes the sends of every starter producer; see `MicrometerObservation.observation`. */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        public fun kproducerObservationCustomizer(registry: ObjectProvider<ObservationRegistry>): KProducerBuilderCustomizer =
            KProducerBuilderCustomizer { _, builder -> registry.ifAvailable { builder.tracing(sendTracer(it)) } }
    }

    /**
     * OpenTelemetry tracing of every send when the application has an `OpenTelemetry` bean and no Micrometer
     * Tracing bridge to it (with the bridge, the Observations above already make the spans).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = ["io.opentelemetry.api.OpenTelemetry", "io.opentelemetry.extension.kotlin.ContextExtensionsKt"])
    @ConditionalOnMissingClass("io.micrometer.tracing.otel.bridge.OtelTracer")
    internal class Tracing {
        /** Traces the sends of every starter producer; see `OpenTelemetryTracing.tracing`. */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        public fun kproducerTracingCustomizer(openTelemetry: ObjectProvider<OpenTelemetry>): KProducerBuilderCustomizer =
            KProducerBuilderCustomizer { _, builder -> openTelemetry.ifAvailable { builder.tracing(sendTracer(it)) } }
    }

    /** Brokers from Boot's `KafkaConnectionDetails`, when Boot's Kafka module is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = ["org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails"])
    internal class ConnectionDetails {
        /** The connection of the unique `KafkaConnectionDetails` bean, read when a producer is built. */
        @Bean
        internal fun kproducerConnection(details: ObjectProvider<KafkaConnectionDetails>): KafkaConnection =
            KafkaConnection { kafka -> details.ifUnique { ConnectionDetailsConnection(it).applyTo(kafka) } }
    }

    /** The `kproducer` health indicator, when Boot's health support is on the class path (`management.health.kproducer.enabled`). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator::class)
    @ConditionalOnEnabledHealthIndicator("kproducer")
    internal class Health {
        /** The health of every `KProducer` bean. */
        @Bean
        @ConditionalOnMissingBean(name = ["kproducerHealthIndicator"])
        public fun kproducerHealthIndicator(beans: ListableBeanFactory): HealthIndicator = KProducerHealthIndicator(beans)
    }
}
