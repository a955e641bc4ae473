package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.RecordTemplate
import io.github.kproducer.testkit.internal.fieldCheck
import io.github.kproducer.testkit.internal.headerCheck
import io.github.kproducer.testkit.internal.templateCheck
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.function.Consumer

/** Runs [template] (a Java lambda) as the Kotlin template block of the matchers. */
internal fun <K, V> Consumer<RecordTemplate<K, V>>.block(): RecordTemplate<K, V>.() -> Unit = { accept(this) }

/**
 * AssertJ assertions on a [ProducerRecord] (what a producer was given): the checks of the Kotest
 * matchers `haveTopic`, `haveKey`, ... with their messages. Create one with `KafkaAssertions.assertThat(record)`.
 */
public open class ProducerRecordAssert<K, V>(
    actual: ProducerRecord<K, V>?,
) : MatcherBackedAssert<ProducerRecordAssert<K, V>, ProducerRecord<K, V>>(actual, ProducerRecordAssert::class.java) {
    /** Verifies the record's topic. */
    public open fun hasTopic(topic: String): ProducerRecordAssert<K, V> = satisfies(fieldCheck("topic", topic))

    /** Verifies the record's key (byte arrays by content). */
    public open fun hasKey(key: K?): ProducerRecordAssert<K, V> = satisfies(fieldCheck("key", key))

    /** Verifies the record's value (byte arrays by content). */
    public open fun hasValue(value: V?): ProducerRecordAssert<K, V> = satisfies(fieldCheck("value", value))

    /** Verifies the partition the record names. */
    public open fun hasPartition(partition: Int): ProducerRecordAssert<K, V> = satisfies(fieldCheck("partition", partition))

    /** Verifies the record's timestamp, in milliseconds since the epoch. */
    public open fun hasTimestamp(timestamp: Long): ProducerRecordAssert<K, V> = satisfies(fieldCheck("timestamp", timestamp))

    /** Verifies that the record has a header [name] whose last value is [value] in UTF-8. */
    public open fun hasHeader(
        name: String,
        value: String,
    ): ProducerRecordAssert<K, V> = satisfies(headerCheck(name, value))

    /** Verifies that the record has a header [name]. */
    public open fun hasHeader(name: String): ProducerRecordAssert<K, V> = satisfies(headerCheck(name))

    /** Verifies every field [template] sets, as `shouldMatchRecord { }`. */
    public open fun matches(template: Consumer<RecordTemplate<K, V>>): ProducerRecordAssert<K, V> = satisfies(templateCheck(template.block()))
}

/**
 * AssertJ assertions on a [ConsumerRecord] (a record read back from a broker): the checks of the
 * Kotest matchers `haveTopic`, `haveKey`, ..., `haveOffset`, with their messages.
 */
public open class ConsumerRecordAssert<K, V>(
    actual: ConsumerRecord<K, V>?,
) : MatcherBackedAssert<ConsumerRecordAssert<K, V>, ConsumerRecord<K, V>>(actual, ConsumerRecordAssert::class.java) {
    /** Verifies the record's topic. */
    public open fun hasTopic(topic: String): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("topic", topic))

    /** Verifies the record's key (byte arrays by content). */
    public open fun hasKey(key: K?): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("key", key))

    /** Verifies the record's value (byte arrays by content). */
    public open fun hasValue(value: V?): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("value", value))

    /** Verifies the record's partition. */
    public open fun hasPartition(partition: Int): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("partition", partition))

    /** Verifies the record's offset. */
    public open fun hasOffset(offset: Long): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("offset", offset))

    /** Verifies the record's timestamp, in milliseconds since the epoch. */
    public open fun hasTimestamp(timestamp: Long): ConsumerRecordAssert<K, V> = satisfies(fieldCheck("timestamp", timestamp))

    /** Verifies that the record has a header [name] whose last value is [value] in UTF-8. */
    public open fun hasHeader(
        name: String,
        value: String,
    ): ConsumerRecordAssert<K, V> = satisfies(headerCheck(name, value))

    /** Verifies that the record has a header [name]. */
    public open fun hasHeader(name: String): ConsumerRecordAssert<K, V> = satisfies(headerCheck(name))

    /** Verifies every field [template] sets, as `shouldMatchRecord { }`. */
    public open fun matches(template: Consumer<RecordTemplate<K, V>>): ConsumerRecordAssert<K, V> = satisfies(templateCheck(template.block()))
}

/** AssertJ assertions on the [RecordMetadata] of an acknowledged send, with the messages of the matchers `haveTopic`, `havePartition` and `haveOffset`. */
public open class RecordMetadataAssert(
    actual: RecordMetadata?,
) : MatcherBackedAssert<RecordMetadataAssert, RecordMetadata>(actual, RecordMetadataAssert::class.java) {
    /** Verifies the topic the record went to. */
    public open fun hasTopic(topic: String): RecordMetadataAssert = satisfies(fieldCheck("topic", topic))

    /** Verifies the partition the record went to. */
    public open fun hasPartition(partition: Int): RecordMetadataAssert = satisfies(fieldCheck("partition", partition))

    /** Verifies the offset the broker gave the record. */
    public open fun hasOffset(offset: Long): RecordMetadataAssert = satisfies(fieldCheck("offset", offset))
}
