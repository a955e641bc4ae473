package io.github.kproducer.testkit;

import static io.github.kproducer.testkit.assertj.KafkaAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kproducer.testkit.MockKafkaProducerConfig.Completion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/** MockKafkaProducerJUnitExtension: a mock per parameter, from its type arguments and options, closed after the test. */
@ExtendWith(MockKafkaProducerJUnitExtension.class)
class MockKafkaProducerInjectionJavaTest {
    private static final List<MockKafkaProducer<?, ?>> SEEN = new ArrayList<>();

    @AfterAll
    static void everyInjectedMockWasClosedAfterItsTest() {
        assertEquals(4, SEEN.size());
        SEEN.forEach(mock -> assertThrows(IllegalStateException.class, () -> mock.send(new ProducerRecord<>("t", null, null))));
    }

    @Test
    void aMockWithBuiltInSerializersForItsTypes(MockKafkaProducer<String, Long> producer) throws Exception {
        SEEN.add(producer);
        RecordMetadata metadata = producer.send(new ProducerRecord<>("counts", "k", 42L)).get();
        assertEquals(0, metadata.offset());
        assertThat(producer).hasSent(1).hasSent(t -> t.value(42L));
    }

    @Test
    void optionsDeclareTopicsAndManualCompletion(
            @MockProducerOptions(topics = "payments", partitions = 3, completion = Completion.MANUAL) MockKafkaProducer<String, String> producer) {
        SEEN.add(producer);
        assertEquals(3, producer.partitionsFor("payments").size());
        Future<RecordMetadata> pending = producer.send(new ProducerRecord<>("payments", "p-1", "charge"));
        assertTrue(!pending.isDone());
        assertTrue(producer.completeNext());
        assertTrue(pending.isDone());
    }

    static MockKafkaProducer<String, String> fivePartitions() {
        return MockKafkaProducer.create(String.class, String.class, config -> config.defaultPartitions(5));
    }

    @Test
    void aFactorysMockIsInjectedAndClosedLikeTheOthers(@MockProducerOptions(factory = "fivePartitions") MockKafkaProducer<String, String> producer) {
        SEEN.add(producer);
        assertEquals(5, producer.partitionsFor("any").size());
    }

    @Test
    void twoParametersAreTwoMocks(MockKafkaProducer<String, String> first, MockKafkaProducer<byte[], byte[]> second) {
        SEEN.add(first);
        first.send(new ProducerRecord<>("a", "k", "v"));
        assertThat(first).hasSent(1);
        assertEquals(0, second.history().size());
        second.close();
    }

    /** Run through JUnit's engine test kit below: a raw type cannot be resolved, and says why. */
    @SuppressWarnings({"rawtypes", "JUnitMalformedDeclaration"})
    @ExtendWith(MockKafkaProducerJUnitExtension.class)
    static class RawMock {
        @Test
        void raw(MockKafkaProducer producer) {}

        @Test
        void noBuiltInSerializer(MockKafkaProducer<String, Thread> producer) {}

        @Test
        void customSerializer(@MockProducerOptions(valueSerializer = ThreadNames.class) MockKafkaProducer<String, Thread> producer) throws Exception {
            producer.send(new ProducerRecord<>("threads", "k", Thread.currentThread())).get();
        }
    }

    /** Run through JUnit's engine test kit below: factories that cannot give a mock, each saying why. */
    @SuppressWarnings("JUnitMalformedDeclaration")
    @ExtendWith(MockKafkaProducerJUnitExtension.class)
    static class BadFactories {
        static MockKafkaProducer<String, String> withTopics() {
            return MockKafkaProducer.create(String.class, String.class);
        }

        static String notAMock() {
            return "no";
        }

        static MockKafkaProducer<String, String> throwing() {
            throw new IllegalStateException("no broker config");
        }

        MockKafkaProducer<String, String> ofTheInstance() {
            return MockKafkaProducer.create(String.class, String.class, config -> config.topic("instance", 2));
        }

        @Test
        void missing(@MockProducerOptions(factory = "nowhere") MockKafkaProducer<String, String> producer) {}

        @Test
        void wrongType(@MockProducerOptions(factory = "notAMock") MockKafkaProducer<String, String> producer) {}

        @Test
        void threw(@MockProducerOptions(factory = "throwing") MockKafkaProducer<String, String> producer) {}

        @Test
        void alsoOptions(@MockProducerOptions(factory = "withTopics", topics = "t") MockKafkaProducer<String, String> producer) {}

        @Test
        void instanceFactory(@MockProducerOptions(factory = "ofTheInstance") MockKafkaProducer<String, String> producer) {
            assertEquals(2, producer.partitionsFor("instance").size());
        }
    }

    @Test
    void aFactoryThatCannotGiveAMockFailsWithTheReasonAndTheFix() {
        List<String> messages = failureMessagesOf(BadFactories.class, 1);
        assertEquals(4, messages.size(), messages.toString());
        assertContainsAll(messages.get(0), "Factory BadFactories.notAMock() of parameter ", " of wrongType() returns java.lang.String: it must return a MockKafkaProducer.");
        assertContainsAll(messages.get(1), "Factory BadFactories.throwing() of parameter ", " of threw() threw java.lang.IllegalStateException: no broker config");
        assertContainsAll(messages.get(2), " of alsoOptions() names factory = \"withTopics\" and also sets topics: the factory builds the whole mock");
        assertContainsAll(messages.get(3), " of missing() names factory = \"nowhere\", but BadFactories has no method nowhere() without parameters");
    }

    /** Runs {@code testClass} through JUnit's engine test kit, checks how many tests passed, and returns the failures' messages, sorted. */
    private static List<String> failureMessagesOf(Class<?> testClass, long succeeded) {
        var results = EngineTestKit.engine("junit-jupiter").selectors(
                org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(testClass)).execute().testEvents();
        assertEquals(succeeded, results.succeeded().count());
        return results.failed().stream()
                .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage())
                .sorted().toList();
    }

    private static void assertContainsAll(String message, String... parts) {
        for (String part : parts) assertTrue(message.contains(part), message);
    }

    /** A serializer for a type Kafka has none for. */
    public static class ThreadNames implements Serializer<Thread> {
        @Override
        public byte[] serialize(String topic, Thread data) {
            return data.getName().getBytes();
        }
    }

    @Test
    void aParameterItCannotBuildFailsWithTheReasonAndTheFix() {
        List<String> messages = failureMessagesOf(RawMock.class, 1);
        assertEquals(2, messages.size());
        assertTrue(messages.get(0).contains("Cannot create the MockKafkaProducer of parameter"), messages.get(0));
        assertTrue(messages.get(1).contains("is a raw MockKafkaProducer: give its key and value types"), messages.get(1));
    }
}
