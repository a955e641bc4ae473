package io.github.kproducer.spring.boot.internal

import io.github.kproducer.dsl.JacksonSerializer
import org.apache.kafka.common.serialization.Serializer
import org.springframework.beans.factory.ListableBeanFactory
import org.springframework.util.ClassUtils
import tools.jackson.databind.json.JsonMapper

/** JSON for types without a built-in serializer, through Jackson 3 and the application's `JsonMapper` bean when it has one. */
internal object JsonSerializers {
    private val jacksonPresent = ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", JsonSerializers::class.java.classLoader)

    /** A JSON serializer, or null without Jackson 3 on the class path. */
    fun of(beans: ListableBeanFactory): Serializer<Any>? = if (jacksonPresent) Jackson.serializer(beans) else null

    /** Loaded only when Jackson is present. */
    private object Jackson {
        fun serializer(beans: ListableBeanFactory): Serializer<Any> {
            val mapper = beans.getBeanProvider(JsonMapper::class.java).getIfUnique { JsonMapper.builder().findAndAddModules().build() }
            return JacksonSerializer(mapper)
        }
    }
}
