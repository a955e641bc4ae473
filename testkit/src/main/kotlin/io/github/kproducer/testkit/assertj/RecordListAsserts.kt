package io.github.kproducer.testkit.assertj

import io.github.kproducer.testkit.MockKafkaProducer
import io.github.kproducer.testkit.RecordTemplate
import io.github.kproducer.testkit.internal.Check
import io.github.kproducer.testkit.internal.allOnTopicCheck
import io.github.kproducer.testkit.internal.containCheck
import io.github.kproducer.testkit.internal.countCheck
import io.github.kproducer.testkit.internal.noDuplicatesCheck
import io.github.kproducer.testkit.internal.onePartitionPerKeyCheck
import io.github.kproducer.testkit.internal.orderPerKeyCheck
import org.apache.kafka.clients.consumer.ConsumerRecord
import org.apache.kafka.clients.producer.ProducerRecord
import org.assertj.core.api.AbstractListAssert
import java.util.function.Consumer

/**
 * AssertJ assertions on records read back from a broker (`kafka.readStrings(...)`, `readAll`, a probe's
 * records): the checks of the many-record matchers (`haveSent`, ...), with their messages, the closest records
 * included when none matches a template; and, as an AssertJ list assertion, everything AssertJ offers
 * on a list: `extracting`, `filteredOn`, `first()`, `element(i)` (each record then checked with
 * [ConsumerRecordAssert]), `containsExactly` and the rest.
 */
public open class ConsumerRecordsAssert<K, V>(
    actual: List<ConsumerRecord<K, V>>?,
) : AbstractListAssert<ConsumerRecordsAssert<K, V>, List<ConsumerRecord<K, V>>, ConsumerRecord<K, V>, ConsumerRecordAssert<K, V>>(
        actual,
        ConsumerRecordsAssert::class.java,
    ) {
    /** Verifies that there are exactly [expected] records; the failure lists them. */
    override fun hasSize(expected: Int): ConsumerRecordsAssert<K, V> = satisfiesCheck(countCheck(expected))

    /** Verifies that some record has every field [template] sets; the failure lists the closest records and how each differs. */
    public open fun containsRecord(template: Consumer<RecordTemplate<K, V>>): ConsumerRecordsAssert<K, V> = satisfiesCheck(containCheck(template.block()))

    /** Verifies that no record has every field [template] sets. */
    public open fun doesNotContainRecord(template: Consumer<RecordTemplate<K, V>>): ConsumerRecordsAssert<K, V> =
        satisfiesCheck(containCheck(template.block()), negated = true)

    /** Verifies that every record is on [topic]. */
    public open fun allOnTopic(topic: String): ConsumerRecordsAssert<K, V> = satisfiesCheck(allOnTopicCheck(topic))

    /** Verifies that the records of each key (per topic) are all in one partition. */
    public open fun keepsEachKeyInOnePartition(): ConsumerRecordsAssert<K, V> = satisfiesCheck(onePartitionPerKeyCheck())

    /** Verifies that each key's records come in the order of [sent]. */
    public open fun preservesOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): ConsumerRecordsAssert<K, V> = satisfiesCheck(orderPerKeyCheck(sent))

    /** Verifies that no record repeats another (same topic, key, value and headers). */
    public open fun hasNoDuplicates(): ConsumerRecordsAssert<K, V> = satisfiesCheck(noDuplicatesCheck())

    /** The assertion on one record: what `first()`, `last()`, `element(i)` and `singleElement()` return. */
    override fun toAssert(
        value: ConsumerRecord<K, V>?,
        description: String?,
    ): ConsumerRecordAssert<K, V> = ConsumerRecordAssert(value).`as`(description)

    /** A list assertion on [iterable]: what `filteredOn` and the like return. */
    override fun newAbstractIterableAssert(iterable: Iterable<ConsumerRecord<K, V>>?): ConsumerRecordsAssert<K, V> = ConsumerRecordsAssert(iterable?.toList())

    private fun satisfiesCheck(
        check: Check<Iterable<ConsumerRecord<K, V>>>,
        negated: Boolean = false,
    ): ConsumerRecordsAssert<K, V> {
        isNotNull()
        report(
            check.test(actual),
            "",
            negated,
            { failWithMessage("%s", it) },
            { actual, expected, message -> failWithActualExpectedAndMessage(actual, expected, "%s", message) },
        )
        return myself
    }
}

/**
 * AssertJ assertions on a [MockKafkaProducer]'s history, with the messages of `shouldHaveSent` and its
 * kin; [hasFailed] looks at the records whose send failed.
 */
public open class MockKafkaProducerAssert<K, V>(
    actual: MockKafkaProducer<K, V>?,
) : MatcherBackedAssert<MockKafkaProducerAssert<K, V>, MockKafkaProducer<K, V>>(actual, MockKafkaProducerAssert::class.java) {
    private fun history(check: Check<Iterable<ProducerRecord<K, V>>>): Check<MockKafkaProducer<K, V>> = Check { producer -> check.test(producer.history()) }

    private fun failed(check: Check<Iterable<ProducerRecord<K, V>>>): Check<MockKafkaProducer<K, V>> = Check { producer -> check.test(producer.failed()) }

    /** Verifies that the mock was sent exactly [count] records. */
    public open fun hasSent(count: Int): MockKafkaProducerAssert<K, V> = satisfies(history(countCheck(count)))

    /** Verifies that the mock was sent a record with every field [template] sets; the failure shows the closest records. */
    public open fun hasSent(template: Consumer<RecordTemplate<K, V>>): MockKafkaProducerAssert<K, V> = satisfies(history(containCheck(template.block())))

    /** Verifies that the mock was sent no record with every field [template] sets. */
    public open fun hasNotSent(template: Consumer<RecordTemplate<K, V>>): MockKafkaProducerAssert<K, V> = notSatisfies(history(containCheck(template.block())))

    /** Verifies that exactly [count] sends failed. */
    public open fun hasFailed(count: Int): MockKafkaProducerAssert<K, V> = satisfies(failed(countCheck(count)), FAILED)

    /** Verifies that a send of a record with every field [template] sets failed. */
    public open fun hasFailed(template: Consumer<RecordTemplate<K, V>>): MockKafkaProducerAssert<K, V> =
        satisfies(failed(containCheck(template.block())), FAILED)

    /** Verifies that every record sent went to [topic]. */
    public open fun allOnTopic(topic: String): MockKafkaProducerAssert<K, V> = satisfies(history(allOnTopicCheck(topic)))

    /** Verifies that the records of each key went to one partition. */
    public open fun keepsEachKeyInOnePartition(): MockKafkaProducerAssert<K, V> = satisfies(history(onePartitionPerKeyCheck()))

    /** Verifies that each key's records were sent in the order of [sent]. */
    public open fun preservesOrderPerKey(sent: Iterable<ProducerRecord<*, *>>): MockKafkaProducerAssert<K, V> = satisfies(history(orderPerKeyCheck(sent)))

    /** Verifies that no record was sent twice. */
    public open fun hasNoDuplicates(): MockKafkaProducerAssert<K, V> = satisfies(history(noDuplicatesCheck()))

    private companion object {
        const val FAILED = "Among the mock's failed sends: "
    }
}
