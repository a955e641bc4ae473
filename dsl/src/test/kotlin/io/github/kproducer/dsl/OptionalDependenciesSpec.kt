package io.github.kproducer.dsl

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldNotBeEmpty

/**
 * The core types load and reflect on a class path without the DSL's optional libraries, as Spring and
 * Mockito reflect over them: no signature of theirs may name OpenTelemetry, Micrometer, Jackson or
 * kotlinx.serialization (those live in their own facades, `OpenTelemetryTracing`, `MicrometerObservation`, ...).
 */
class OptionalDependenciesSpec :
    FunSpec({
        test("the builder, the configuration, the options, the producer and its settings reflect without any optional library") {
            val hidden = listOf("io.opentelemetry.", "io.micrometer.", "tools.jackson.", "kotlinx.serialization.")
            val withoutOptionals =
                object : ClassLoader(KProducerBuilder::class.java.classLoader) {
                    override fun loadClass(
                        name: String,
                        resolve: Boolean,
                    ): Class<*> {
                        if (hidden.any { name.startsWith(it) }) throw ClassNotFoundException("$name is hidden: an optional library")
                        if (!name.startsWith("io.github.kproducer.dsl.")) return super.loadClass(name, resolve)
                        // The DSL's own classes are defined here, so that what they refer to resolves through this loader.
                        synchronized(getClassLoadingLock(name)) {
                            findLoadedClass(name)?.let { return it }
                            val bytes = parent.getResourceAsStream(name.replace('.', '/') + ".class")!!.use { it.readBytes() }
                            return defineClass(name, bytes, 0, bytes.size)
                        }
                    }
                }
            for (name in listOf("KProducerBuilder", "KProducerConfig", "KProducerOptions", "KProducer", "KProducerSettings", "SendTracer")) {
                val type = withoutOptionals.loadClass("io.github.kproducer.dsl.$name")
                type.declaredMethods.toList().shouldNotBeEmpty()
                type.declaredConstructors
                type.declaredFields
            }
        }
    })
