package io.github.kproducer.dsl.internal.config

import kotlin.time.Duration
import kotlin.time.toJavaDuration

/**
 * How a message names what the caller wrote: as the Kotlin configuration block and suspending calls
 * read (`bootstrapServers = "..."`, `sasl { }`, `transaction { }`), or as the Java builder and the
 * Java forms read (`.bootstrapServers("...")`, `.sasl(sasl -> ...)`, `inTransaction(tx -> ...)`).
 * A producer built with `KProducer.builder` (or wrapped with `KProducer.wrap`) speaks Java.
 */
internal enum class Wording {
    KOTLIN,
    JAVA,
    ;

    /** A setting given a value: `linger = 5.milliseconds` or `.linger(Duration.ofMillis(5))`. */
    fun assign(
        setting: String,
        kotlinValue: String,
        javaValue: String = kotlinValue,
    ): String = if (this == KOTLIN) "$setting = $kotlinValue" else ".$setting($javaValue)"

    /** A setting named in a problem: `linger` as the Kotlin block sets it, or `.linger(...)`, the Java builder's method. */
    fun setting(name: String): String = if (this == KOTLIN) name else ".$name(...)"

    /** A call with arguments: `property("k", ...)` or `.property("k", ...)`. */
    fun call(
        name: String,
        arguments: String,
    ): String = if (this == KOTLIN) "$name($arguments)" else ".$name($arguments)"

    /** A configuration block: `sasl { }` or `.sasl(sasl -> ...)`. */
    fun block(name: String): String = if (this == KOTLIN) "$name { }" else ".$name($name -> ...)"

    /** A field of a block given a value: `password = "..."` or `sasl.password("...")`. */
    fun field(
        block: String,
        field: String,
        value: String = "...",
    ): String = if (this == KOTLIN) "$field = $value" else "$block.$field($value)"

    /** A duration as the caller wrote it: Kotlin's `5s`, or Java's `PT5S`. */
    fun duration(value: Duration): String = if (this == KOTLIN) value.toString() else value.toJavaDuration().toString()

    /** Where a transactional producer's sends go: `producer.transaction { ... }`, or `inTransaction(tx -> ...)`. */
    val transaction: String
        get() = if (this == KOTLIN) "producer.transaction { ... }" else "producer.inTransaction(tx -> ...) or producer.transactionAsync(tx -> ...)"
}
