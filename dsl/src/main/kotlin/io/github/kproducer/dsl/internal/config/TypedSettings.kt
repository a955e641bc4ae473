package io.github.kproducer.dsl.internal.config

import kotlin.properties.PropertyDelegateProvider
import kotlin.properties.ReadWriteProperty
import kotlin.reflect.KProperty

/**
 * One typed setting of `KProducerConfig`, declared once where its property is declared: the Kafka
 * key it sets, its name in the DSL (the property's own name, so messages and the Java builder
 * cannot drift from it), and the least value a number may take.
 */
internal class TypedSetting(
    /** The producer property it sets, as `linger.ms`; [ConfigRules.COMPRESSION_LEVEL] for the codec-dependent level. */
    val key: String,
    /** The DSL property's name, as `linger`. */
    val name: String,
    /** The least value of an `Int` or `Long` setting. */
    val minimum: Long,
    /**
     * Whether a rule of its own turns it into properties (the compression level, whose key depends on
     * the codec; the security protocol, which the `ssl { }` and `sasl { }` rules also decide) instead
     * of the plain conversion of [ConfigRules].
     */
    val ownRule: Boolean,
    /** Turns a value of an enum setting into Kafka's string (`Acks.ALL` to `all`); null for the others. */
    val toKafka: ((Any) -> Any)? = null,
)

/** A [TypedSetting] with the value one configuration gave it; `null` keeps Kafka's default. */
internal class TypedValue(
    val setting: TypedSetting,
    val value: Any?,
)

/**
 * The typed settings of one configuration. Each is declared once, as a delegated property:
 * ```
 * public var linger: Duration? by typed.setting("linger.ms")
 * ```
 * and everything else (the Kafka key map, the names in messages, the bounds, the test that the Java
 * builder has a method for each) is derived from that declaration.
 */
internal class TypedSettings {
    private val declared = ArrayList<TypedSetting>()
    private val values = HashMap<String, Any?>()

    /** Declares a setting for the Kafka [key]; see [TypedSetting] for [minimum], [ownRule] and [toKafka]. */
    fun <T : Any> setting(
        key: String,
        minimum: Long = 0,
        ownRule: Boolean = false,
        toKafka: ((T) -> Any)? = null,
    ): PropertyDelegateProvider<Any?, ReadWriteProperty<Any?, T?>> =
        PropertyDelegateProvider { _, property ->
            check(declared.none { it.key == key }) { "$key is declared twice" }
            @Suppress("UNCHECKED_CAST")
            declared += TypedSetting(key, property.name, minimum, ownRule, toKafka as ((Any) -> Any)?)
            Slot(key)
        }

    /** Every declared setting with its value, in the order of declaration. */
    fun values(): List<TypedValue> = declared.map { TypedValue(it, values[it.key]) }

    private inner class Slot<T : Any>(
        private val key: String,
    ) : ReadWriteProperty<Any?, T?> {
        @Suppress("UNCHECKED_CAST")
        override fun getValue(
            thisRef: Any?,
            property: KProperty<*>,
        ): T? = values[key] as T?

        override fun setValue(
            thisRef: Any?,
            property: KProperty<*>,
            value: T?,
        ) {
            values[key] = value
        }
    }
}
