package io.github.kproducer.dsl

import io.github.kproducer.dsl.internal.config.ConfigRules
import io.github.kproducer.dsl.internal.config.TypedValue
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeIn
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.common.config.ConfigDef
import org.apache.kafka.common.security.auth.SecurityProtocol
import java.lang.reflect.Method
import java.lang.reflect.Modifier
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * Each typed setting is declared once, in [KProducerConfig]; these tests fail when what is derived
 * from that declaration (the Kafka key, the bounds, the Java builder) is missing or disagrees.
 */
class TypedSettingsSpec :
    FunSpec({
        fun typed(): List<TypedValue> = KProducer.builder(String::class.java, String::class.java).config.typedValues()

        /** The Kotlin property name behind a JVM accessor: `setLinger-BwNAW2A` is `linger`. */
        fun propertyName(
            accessor: Method,
            prefix: String,
        ): String =
            accessor.name
                .removePrefix(prefix)
                .substringBefore('-')
                .replaceFirstChar { it.lowercase() }

        fun publicSetters(type: Class<*>): List<Method> =
            type.declaredMethods.filter { Modifier.isPublic(it.modifiers) && it.name.startsWith("set") && it.parameterCount == 1 && '$' !in it.name }

        test("every public property of KProducerConfig is a declared typed setting") {
            val declared = typed().map { it.setting.name }
            val properties = publicSetters(KProducerConfig::class.java).map { propertyName(it, "set") }
            properties shouldContainExactlyInAnyOrder declared
        }

        test("every typed setting sets a producer property Kafka knows, with the type Kafka's ConfigDef expects") {
            val kafkaTypes = ProducerConfig.configDef().configKeys().mapValues { it.value.type }
            val getters = KProducerConfig::class.java.declaredMethods.filter { it.name.startsWith("get") && it.parameterCount == 0 }
            for (entry in typed()) {
                val setting = entry.setting
                withClue(setting.name) {
                    val getter = getters.single { propertyName(it, "get") == setting.name }
                    val key = if (setting.key == ConfigRules.COMPRESSION_LEVEL) "compression.gzip.level" else setting.key
                    val kafkaType = kafkaTypes[key].shouldNotBeNull()
                    val expected =
                        when (getter.returnType) {
                            Duration::class.java -> setOf(ConfigDef.Type.LONG, ConfigDef.Type.INT)
                            Integer::class.java -> setOf(ConfigDef.Type.INT)
                            java.lang.Long::class.java -> setOf(ConfigDef.Type.LONG)
                            java.lang.Boolean::class.java -> setOf(ConfigDef.Type.BOOLEAN)
                            String::class.java -> setOf(ConfigDef.Type.STRING, ConfigDef.Type.LIST)
                            Acks::class.java, Compression::class.java, SecurityProtocol::class.java -> setOf(ConfigDef.Type.STRING)
                            else -> error("no Kafka type known for ${getter.returnType}")
                        }
                    kafkaType shouldBeIn expected
                    if (getter.returnType == Duration::class.java) key shouldBeIn ProducerConfig.configNames().filter { it.endsWith(".ms") }
                }
            }
        }

        test("the Java builder has a method for every typed setting, and it sets that setting") {
            val sample = 1234
            val methods = KProducerBuilder::class.java.methods.filter { it.parameterCount == 1 }
            for (entry in typed()) {
                val name = entry.setting.name
                withClue("KProducerBuilder.$name(...)") {
                    val method = methods.filter { it.name == name }.shouldHaveSize(1).single()
                    val (argument, expected) =
                        when (val type = method.parameterTypes.single()) {
                            java.time.Duration::class.java -> java.time.Duration.ofMillis(sample.toLong()) to sample.milliseconds
                            Int::class.javaPrimitiveType -> sample to sample
                            Long::class.javaPrimitiveType -> sample.toLong() to sample.toLong()
                            Boolean::class.javaPrimitiveType -> true to true
                            String::class.java -> "x:1" to "x:1"
                            Array<String>::class.java -> arrayOf("x:1", "y:2") to "x:1,y:2"
                            else -> type.enumConstants.last().let { it to it }
                        }
                    val builder = KProducer.builder(String::class.java, String::class.java)
                    method.invoke(builder, argument)
                    builder.config
                        .typedValues()
                        .single { it.setting.name == name }
                        .value shouldBe expected
                }
            }
        }

        test("the Java builder has a method for every option of KProducerOptions") {
            val options = publicSetters(KProducerOptions::class.java).map { propertyName(it, "set") } + listOf("onError", "listener")
            val builderMethods = KProducerBuilder::class.java.methods.map { it.name }
            for (option in options) withClue(option) { builderMethods shouldContain option }
        }

        test("every number and duration setting below its bound is refused by the name users wrote") {
            for (entry in typed()) {
                val setting = entry.setting
                val method = KProducerBuilder::class.java.methods.single { it.name == setting.name && it.parameterCount == 1 }
                val (tooLow, message) =
                    when (method.parameterTypes.single()) {
                        java.time.Duration::class.java -> {
                            java.time.Duration.ofMillis(-1) to ".${setting.name}(...) must not be negative"
                        }

                        Int::class.javaPrimitiveType -> {
                            if (setting.minimum <=
                                Int.MIN_VALUE
                            ) {
                                continue
                            } else {
                                (setting.minimum - 1).toInt() to ".${setting.name}(...) must be at least"
                            }
                        }

                        Long::class.javaPrimitiveType -> {
                            setting.minimum - 1 to ".${setting.name}(...) must be at least"
                        }

                        else -> {
                            continue
                        }
                    }
                withClue("${setting.name} = $tooLow") {
                    val builder = KProducer.builder(String::class.java, String::class.java).bootstrapServers("b:9092")
                    method.invoke(builder, tooLow)
                    val error = shouldThrow<KProducerConfigException> { builder.buildSettings() }
                    error.problems.filter { it.startsWith(message) } shouldHaveSize 1
                }
            }
        }

        test("a raw property that a typed setting covers is refused by the typed setting's name") {
            for (entry in typed().filter { !it.setting.ownRule && it.setting.key != "bootstrap.servers" }) {
                val setting = entry.setting
                val method = KProducerBuilder::class.java.methods.single { it.name == setting.name && it.parameterCount == 1 }
                val argument =
                    when (val type = method.parameterTypes.single()) {
                        java.time.Duration::class.java -> java.time.Duration.ofMillis(100)
                        Int::class.javaPrimitiveType -> 1
                        Long::class.javaPrimitiveType -> 1L
                        Boolean::class.javaPrimitiveType -> true
                        String::class.java -> "x"
                        else -> type.enumConstants.first()
                    }
                // The Java builder: its messages name its methods.
                val builder = KProducer.builder(String::class.java, String::class.java).bootstrapServers("b:9092")
                method.invoke(builder, argument)
                builder.property(setting.key, "1")
                val error = shouldThrow<KProducerConfigException> { builder.buildSettings() }
                withClue(setting.name) {
                    error.problems shouldContain "'${setting.key}' is set twice: by .${setting.name}(...) and by .property(\"${setting.key}\", ...); keep one"
                }
            }
        }
    })
