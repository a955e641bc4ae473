package io.github.kproducer.spring.boot.internal

import io.github.kproducer.dsl.KProducer
import io.github.kproducer.spring.boot.KProducerProperties
import org.springframework.beans.factory.support.BeanDefinitionRegistry
import org.springframework.beans.factory.support.RootBeanDefinition
import org.springframework.boot.context.properties.bind.Bindable
import org.springframework.boot.context.properties.bind.Binder
import org.springframework.context.EnvironmentAware
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar
import org.springframework.core.env.Environment
import org.springframework.core.type.AnnotationMetadata

/**
 * Registers a `KProducer` bean for every key of `kproducer.producers`, named by the key and made by
 * `KProducerFactory.create(name)`, so that it is closed at shutdown with the others.
 */
internal class NamedProducers :
    ImportBeanDefinitionRegistrar,
    EnvironmentAware {
    private lateinit var environment: Environment

    override fun setEnvironment(environment: Environment) {
        this.environment = environment
    }

    override fun registerBeanDefinitions(
        metadata: AnnotationMetadata,
        registry: BeanDefinitionRegistry,
    ) {
        val names =
            Binder
                .get(environment)
                .bind("kproducer.producers", Bindable.mapOf(String::class.java, KProducerProperties.NamedProducer::class.java))
                .orElse(null)
                ?.keys
                .orEmpty()
        for (name in names) {
            check(!registry.containsBeanDefinition(name)) {
                "kproducer.producers.$name would define a bean '$name', but the application has a bean of that name; rename the producer"
            }
            val definition = RootBeanDefinition(KProducer::class.java)
            definition.factoryBeanName = "kproducerFactory"
            definition.factoryMethodName = "create"
            definition.constructorArgumentValues.addIndexedArgumentValue(0, name)
            registry.registerBeanDefinition(name, definition)
        }
    }
}
