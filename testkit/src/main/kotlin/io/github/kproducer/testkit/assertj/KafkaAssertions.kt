@file:JvmName("KafkaAssertions")

package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.MockKafkaProducer
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.clients.producer.RecordMetadata
import org.assertj.core.api.SoftAssertions

/*
 * The entry point of the test kit's AssertJ assertions, for Java tests: `import static
 * io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;`, beside AssertJ's own `assertThat`
 * (each overload takes a Kafka type, so Java picks ours for records and AssertJ's for the rest).
 * A file facade with static methods: no instance, no `INSTANCE` field.
 */

/**
 * Assertions on a record given to a producer.
 *
 * Needs `org.assertj:assertj-core` on the test class path (an optional dependency of the test kit).
 */
public fun <K, V> assertThat(actual: ProducerRecord<K, V>?): ProducerRecordAssert<K, V> = ProducerRecordAssert(actual)

/** Assertions on a record read back from a broker. */
public fun <K, V> assertThat(actual: ConsumerRecord<K, V>?): ConsumerRecordAssert<K, V> = ConsumerRecordAssert(actual)

/** Assertions on the metadata of an acknowledged send. */
public fun assertThat(actual: RecordMetadata?): RecordMetadataAssert = RecordMetadataAssert(actual)

/** Assertions on records read back from a broker, with AssertJ's list navigation (`first()`, `element(i)`, `extracting`, `filteredOn`). */
public fun <K, V> assertThat(actual: List<ConsumerRecord<K, V>>?): ConsumerRecordsAssert<K, V> = ConsumerRecordsAssert(actual)

/** Assertions on a mock producer's history. */
public fun <K, V> assertThat(actual: MockKafkaProducer<K, V>?): MockKafkaProducerAssert<K, V> = MockKafkaProducerAssert(actual)

/**
 * AssertJ's [SoftAssertions] with the test kit's assertions: every failed check is collected, and
 * `assertAll()` (or JUnit's `SoftAssertionsExtension`) reports them together.
 */
public open class KafkaSoftAssertions : SoftAssertions() {
    /** Soft assertions on a record given to a producer. */
    @Suppress("UNCHECKED_CAST")
    public fun <K, V> assertThat(actual: ProducerRecord<K, V>?): ProducerRecordAssert<K, V> =
        proxy(ProducerRecordAssert::class.java, ProducerRecord::class.java, actual) as ProducerRecordAssert<K, V>

    /** Soft assertions on a record read back from a broker. */
    @Suppress("UNCHECKED_CAST")
    public fun <K, V> assertThat(actual: ConsumerRecord<K, V>?): ConsumerRecordAssert<K, V> =
        proxy(ConsumerRecordAssert::class.java, ConsumerRecord::class.java, actual) as ConsumerRecordAssert<K, V>

    /** Soft assertions on the metadata of an acknowledged send. */
    public fun assertThat(actual: RecordMetadata?): RecordMetadataAssert = proxy(RecordMetadataAssert::class.java, RecordMetadata::class.java, actual)

    /** Soft assertions on records read back from a broker. */
    @Suppress("UNCHECKED_CAST")
    public fun <K, V> assertThat(actual: List<ConsumerRecord<K, V>>?): ConsumerRecordsAssert<K, V> =
        proxy(ConsumerRecordsAssert::class.java, List::class.java, actual) as ConsumerRecordsAssert<K, V>

    /** Soft assertions on a mock producer's history. */
    @Suppress("UNCHECKED_CAST")
    public fun <K, V> assertThat(actual: MockKafkaProducer<K, V>?): MockKafkaProducerAssert<K, V> =
        proxy(MockKafkaProducerAssert::class.java, MockKafkaProducer::class.java, actual) as MockKafkaProducerAssert<K, V>
}
