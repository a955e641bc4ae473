package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.RecordTemplate
import io.github.kproducer.testkit.haveHeader
import io.github.kproducer.testkit.haveKey
import io.github.kproducer.testkit.havePartition
import io.github.kproducer.testkit.haveTimestamp
import io.github.kproducer.testkit.haveTopic
import io.github.kproducer.testkit.haveValue
import io.github.kproducer.testkit.matchRecord
import io.kotest.matchers.Matcher
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import java.util.function.Consumer
import io.github.kproducer.testkit.consumed.haveHeader as consumedHaveHeader
import io.github.kproducer.testkit.consumed.haveKey as consumedHaveKey
import io.github.kproducer.testkit.consumed.haveOffset as consumedHaveOffset
import io.github.kproducer.testkit.consumed.havePartition as consumedHavePartition
import io.github.kproducer.testkit.consumed.haveTimestamp as consumedHaveTimestamp
import io.github.kproducer.testkit.consumed.haveTopic as consumedHaveTopic
import io.github.kproducer.testkit.consumed.haveValue as consumedHaveValue
import io.github.kproducer.testkit.consumed.matchRecord as consumedMatchRecord
import io.github.kproducer.testkit.metadata.haveOffset as metadataHaveOffset
import io.github.kproducer.testkit.metadata.havePartition as metadataHavePartition
import io.github.kproducer.testkit.metadata.haveTopic as metadataHaveTopic

/** Runs [template] (a Java lambda) as the Kotlin template block of the matchers. */
internal fun Consumer<RecordTemplate>.block(): RecordTemplate.() -> Unit = { accept(this) }

/**
 * AssertJ assertions on a [ProducerRecord] (what a producer was given): the checks of the Kotest
 * matchers `haveTopic`, `haveKey`, ... with their messages. Create one with `KafkaAssertions.assertThat(record)`.
 */
public open class ProducerRecordAssert<K, V>(
    actual: ProducerRecord<K, V>?,
) : MatcherBackedAssert<ProducerRecordAssert<K, V>, ProducerRecord<K, V>>(actual, ProducerRecordAssert::class.java) {
    /** Verifies the record's topic. */
    public open fun hasTopic(topic: String): ProducerRecordAssert<K, V> = satisfiesMatcher(haveTopic(topic).of())

    /** Verifies the record's key (byte arrays by content). */
    public open fun hasKey(key: K?): ProducerRecordAssert<K, V> = satisfiesMatcher(haveKey(key).of())

    /** Verifies the record's value (byte arrays by content). */
    public open fun hasValue(value: V?): ProducerRecordAssert<K, V> = satisfiesMatcher(haveValue(value).of())

    /** Verifies the partition the record names. */
    public open fun hasPartition(partition: Int): ProducerRecordAssert<K, V> = satisfiesMatcher(havePartition(partition).of())

    /** Verifies the record's timestamp, in milliseconds since the epoch. */
    public open fun hasTimestamp(timestamp: Long): ProducerRecordAssert<K, V> = satisfiesMatcher(haveTimestamp(timestamp).of())

    /** Verifies that the record has a header [name] whose last value is [value] in UTF-8. */
    public open fun hasHeader(
        name: String,
        value: String,
    ): ProducerRecordAssert<K, V> = satisfiesMatcher(haveHeader(name, value).of())

    /** Verifies that the record has a header [name]. */
    public open fun hasHeader(name: String): ProducerRecordAssert<K, V> = satisfiesMatcher(haveHeader(name).of())

    /** Verifies every field [template] sets, as `shouldMatchRecord { }`. */
    public open fun matches(template: Consumer<RecordTemplate>): ProducerRecordAssert<K, V> = satisfiesMatcher(matchRecord(template.block()).of())
}

/**
 * AssertJ assertions on a [ConsumerRecord] (a record read back from a broker): the checks of the
 * Kotest matchers of `io.github.kproducer.testkit.consumed`, with their messages.
 */
public open class ConsumerRecordAssert<K, V>(
    actual: ConsumerRecord<K, V>?,
) : MatcherBackedAssert<ConsumerRecordAssert<K, V>, ConsumerRecord<K, V>>(actual, ConsumerRecordAssert::class.java) {
    /** Verifies the record's topic. */
    public open fun hasTopic(topic: String): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveTopic(topic).of())

    /** Verifies the record's key (byte arrays by content). */
    public open fun hasKey(key: K?): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveKey(key).of())

    /** Verifies the record's value (byte arrays by content). */
    public open fun hasValue(value: V?): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveValue(value).of())

    /** Verifies the record's partition. */
    public open fun hasPartition(partition: Int): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHavePartition(partition).of())

    /** Verifies the record's offset. */
    public open fun hasOffset(offset: Long): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveOffset(offset).of())

    /** Verifies the record's timestamp, in milliseconds since the epoch. */
    public open fun hasTimestamp(timestamp: Long): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveTimestamp(timestamp).of())

    /** Verifies that the record has a header [name] whose last value is [value] in UTF-8. */
    public open fun hasHeader(
        name: String,
        value: String,
    ): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveHeader(name, value).of())

    /** Verifies that the record has a header [name]. */
    public open fun hasHeader(name: String): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedHaveHeader(name).of())

    /** Verifies every field [template] sets, as `shouldMatchRecord { }`. */
    public open fun matches(template: Consumer<RecordTemplate>): ConsumerRecordAssert<K, V> = satisfiesMatcher(consumedMatchRecord(template.block()).of())
}

/** AssertJ assertions on the [RecordMetadata] of an acknowledged send, with the messages of the `metadata` matchers. */
public open class RecordMetadataAssert(
    actual: RecordMetadata?,
) : MatcherBackedAssert<RecordMetadataAssert, RecordMetadata>(actual, RecordMetadataAssert::class.java) {
    /** Verifies the topic the record went to. */
    public open fun hasTopic(topic: String): RecordMetadataAssert = satisfiesMatcher(metadataHaveTopic(topic))

    /** Verifies the partition the record went to. */
    public open fun hasPartition(partition: Int): RecordMetadataAssert = satisfiesMatcher(metadataHavePartition(partition))

    /** Verifies the offset the broker gave the record. */
    public open fun hasOffset(offset: Long): RecordMetadataAssert = satisfiesMatcher(metadataHaveOffset(offset))
}
