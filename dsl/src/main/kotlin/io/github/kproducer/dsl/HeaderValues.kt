@file:JvmName("HeaderValues")

package io.github.kproducer.dsl

import org.apache.kafka.common.header.Headers
import java.time.Instant
import java.util.UUID

/**
 * Reads the last header [name] as UTF-8 text, or `null` when there is none.
 *
 * Headers are bytes; the typed helpers of this file write numbers, booleans, UUIDs and instants as
 * their UTF-8 text (ISO-8601 for instants), which any consumer in any language can read, and read
 * them back from the last header of a name. From Java they are the static methods of `HeaderValues`;
 * the readers whose Kotlin names are Java keywords are `longValue`, `intValue` and `booleanValue` there.
 */
public fun Headers.string(name: String): String? = lastHeader(name)?.value()?.toString(Charsets.UTF_8)

/**
 * Reads the last header [name] as a Long written in decimal text, or `null` when there is none.
 *
 * @throws NumberFormatException when the header is not a decimal number that fits a Long.
 */
@JvmName("longValue")
public fun Headers.long(name: String): Long? = string(name)?.toLong()

/** The last header [name] as an Int, or `null` when there is none. @throws NumberFormatException when it is not a number. */
@JvmName("intValue")
public fun Headers.int(name: String): Int? = string(name)?.toInt()

/**
 * Reads the last header [name] as a Boolean, or `null` when there is none.
 *
 * @throws IllegalArgumentException when the header is neither `true` nor `false`.
 */
@JvmName("booleanValue")
public fun Headers.boolean(name: String): Boolean? = string(name)?.toBooleanStrict()

/**
 * Reads the last header [name] as a UUID in its standard text form, or `null` when there is none.
 *
 * @throws IllegalArgumentException when the header is not a UUID.
 */
public fun Headers.uuid(name: String): UUID? = string(name)?.let(UUID::fromString)

/**
 * Reads the last header [name] as an Instant in ISO-8601, or `null` when there is none.
 *
 * @throws java.time.format.DateTimeParseException when the header is not an ISO-8601 instant.
 */
public fun Headers.instant(name: String): Instant? = string(name)?.let(Instant::parse)

/** Adds header [name] with [value] as UTF-8 text; returns the headers. */
public fun Headers.add(
    name: String,
    value: String,
): Headers = add(name, value.toByteArray(Charsets.UTF_8))

/** Adds header [name] with [value] as decimal text; returns the headers. */
public fun Headers.add(
    name: String,
    value: Long,
): Headers = add(name, value.toString())

/** Adds header [name] with [value] as `true`/`false`; returns the headers. */
public fun Headers.add(
    name: String,
    value: Boolean,
): Headers = add(name, value.toString())

/** Adds header [name] with [value] in its standard text form; returns the headers. */
public fun Headers.add(
    name: String,
    value: UUID,
): Headers = add(name, value.toString())

/** Adds header [name] with [value] in ISO-8601; returns the headers. */
public fun Headers.add(
    name: String,
    value: Instant,
): Headers = add(name, value.toString())
