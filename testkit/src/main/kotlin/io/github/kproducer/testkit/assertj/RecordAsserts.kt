package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.RecordTemplate
import io.github.kproducer.testkit.internal.fieldCheck
import io.github.kproducer.testkit.internal.headerCheck
import io.github.kproducer.testkit.internal.templateCheck
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.function.Consumer

/*
 * The one-record AssertJ assertions, layered as AssertJ layers its own (`AbstractCharSequenceAssert`
 * under `AbstractStringAssert`): each check is declared once, in the class of the records that have its
 * field, and returns SELF, so that Java chains on the concrete assertion and a check a record type
 * lacks (`hasKey` on RecordMetadata, `hasOffset` on a ProducerRecord) does not compile.
 */

/** Runs [template] (a Java lambda) as the Kotlin template block of the matchers. */
internal fun <K, V> Consumer<RecordTemplate<K, V>>.block(): RecordTemplate<K, V>.() -> Unit = { accept(this) }

/**
 * The checks every record type has: topic, partition and timestamp, with the messages of the Kotest
 * matchers `haveTopic`, `havePartition` and `haveTimestamp`. The base of [ProducerRecordAssert],
 * [ConsumerRecordAssert] and [RecordMetadataAssert]; not to be extended outside the test kit.
 */
public abstract class AbstractRecordAssert<SELF : AbstractRecordAssert<SELF, ACTUAL>, ACTUAL : Any> protected constructor(
    actual: ACTUAL?,
    selfType: Class<*>,
) : MatcherBackedAssert<SELF, ACTUAL>(actual, selfType) {
    /** Verifies the record's topic. */
    public open fun hasTopic(topic: String): SELF = satisfies(fieldCheck("topic", topic))

    /** Verifies the record's partition. */
    public open fun hasPartition(partition: Int): SELF = satisfies(fieldCheck("partition", partition))

    /** Verifies the record's timestamp, in milliseconds since the epoch. */
    public open fun hasTimestamp(timestamp: Long): SELF = satisfies(fieldCheck("timestamp", timestamp))
}

/**
 * The checks of a record with a key, a value and headers (a ProducerRecord or a ConsumerRecord), with
 * the messages of the Kotest matchers `haveKey`, `haveValue`, `haveHeader` and `matchRecord`. The base of
 * [ProducerRecordAssert] and [ConsumerRecordAssert]; not to be extended outside the test kit.
 */
public abstract class AbstractKeyValueRecordAssert<SELF : AbstractKeyValueRecordAssert<SELF, ACTUAL, K, V>, ACTUAL : Any, K, V> protected constructor(
    actual: ACTUAL?,
    selfType: Class<*>,
) : AbstractRecordAssert<SELF, ACTUAL>(actual, selfType) {
    /** Verifies the record's key (byte arrays by content). */
    public open fun hasKey(key: K?): SELF = satisfies(fieldCheck("key", key))

    /** Verifies the record's value (byte arrays by content). */
    public open fun hasValue(value: V?): SELF = satisfies(fieldCheck("value", value))

    /** Verifies that the record has a header [name] whose last value is [value] in UTF-8. */
    public open fun hasHeader(
        name: String,
        value: String,
    ): SELF = satisfies(headerCheck(name, value))

    /** Verifies that the record has a header [name]. */
    public open fun hasHeader(name: String): SELF = satisfies(headerCheck(name))

    /** Verifies every field [template] sets, as `shouldMatchRecord { }`. */
    public open fun matches(template: Consumer<RecordTemplate<K, V>>): SELF = satisfies(templateCheck(template.block()))
}

/**
 * AssertJ assertions on a [ProducerRecord] (what a producer was given): topic, key, value, partition,
 * timestamp, headers and templates. Create one with `KafkaAssertions.assertThat(record)`.
 */
public open class ProducerRecordAssert<K, V>(
    actual: ProducerRecord<K, V>?,
) : AbstractKeyValueRecordAssert<ProducerRecordAssert<K, V>, ProducerRecord<K, V>, K, V>(actual, ProducerRecordAssert::class.java)

/**
 * AssertJ assertions on a [ConsumerRecord] (a record read back from a broker): those of a
 * [ProducerRecordAssert], and the record's offset.
 */
public open class ConsumerRecordAssert<K, V>(
    actual: ConsumerRecord<K, V>?,
) : AbstractKeyValueRecordAssert<ConsumerRecordAssert<K, V>, ConsumerRecord<K, V>, K, V>(actual, ConsumerRecordAssert::class.java) {
    /** Verifies the record's offset. */
    public open fun hasOffset(offset: Long): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("offset", offset))
}

/** AssertJ assertions on the [RecordMetadata] of an acknowledged send: topic, partition, timestamp and offset. */
public open class RecordMetadataAssert(
    actual: RecordMetadata?,
) : AbstractRecordAssert<RecordMetadataAssert, RecordMetadata>(actual, RecordMetadataAssert::class.java) {
    /** Verifies the offset the broker gave the record. */
    public open fun hasOffset(offset: Long): RecordMetadataAssert = satisfies(fieldCheck("offset", offset))
}
