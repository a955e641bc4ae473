package io.github.kproducer.spring.boot.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kproducer.testkit.EmbeddedKafka;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextManager;

/**
 * Spring's context cache shares one context, and so one broker, between test classes whose annotations are equal,
 * and gives a different annotation its own. The contexts are built as SpringExtension builds them, with a
 * TestContextManager per test class, so the order of the classes is fixed.
 */
class ContextCacheTest {
    private final List<TestContext> loaded = new ArrayList<>();

    @SpringBootTest(classes = TestApplication.class)
    @AutoConfigureEmbeddedKafka(topics = "shared")
    static class First {}

    @SpringBootTest(classes = TestApplication.class)
    @AutoConfigureEmbeddedKafka(topics = "shared")
    static class Second {}

    /** Inherits both annotations of First. */
    static class Inheriting extends First {}

    /** A team's own annotation, composed with the same attribute values as First's. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @SpringBootTest(classes = TestApplication.class)
    @AutoConfigureEmbeddedKafka(topics = "shared")
    @interface SharedKafkaTest {}

    @SharedKafkaTest
    static class Composed {}

    @SpringBootTest(classes = TestApplication.class)
    @AutoConfigureEmbeddedKafka(topics = "shared", partitions = 2)
    static class DifferentPartitions {}

    /** An application without beans: nothing in it reads spring.kafka.bootstrap-servers. */
    @SpringBootConfiguration
    static class EmptyApplication {}

    @SpringBootTest(classes = EmptyApplication.class)
    @AutoConfigureEmbeddedKafka(bootstrapServersProperty = "payments.kafka.brokers")
    static class DifferentProperty {}

    @AfterEach
    void closeTheContexts() {
        // Leaves no broker behind for the other test classes of this JVM (closing a closed context does nothing).
        loaded.forEach(testContext -> testContext.markApplicationContextDirty(null));
    }

    private ApplicationContext contextOf(Class<?> testClass) {
        TestContext testContext = new TestContextManager(testClass).getTestContext();
        loaded.add(testContext);
        return testContext.getApplicationContext();
    }

    @Test
    void classesWithTheSameAnnotationShareOneContextAndOneBroker() {
        ApplicationContext first = contextOf(First.class);
        EmbeddedKafka kafka = first.getBean(EmbeddedKafka.class);

        ApplicationContext second = contextOf(Second.class);

        assertThat(second).isSameAs(first);
        assertThat(second.getBean(EmbeddedKafka.class)).isSameAs(kafka);
        assertThat(second.getEnvironment().getProperty("spring.kafka.bootstrap-servers")).isEqualTo(kafka.getBootstrapServers());
        assertThat(kafka.isRunning(1)).as("the broker the first class used, while the cached context still uses it").isTrue();
    }

    @Test
    void aSubclassInheritsTheAnnotationAndTheBroker() {
        EmbeddedKafka kafka = contextOf(First.class).getBean(EmbeddedKafka.class);

        assertThat(contextOf(Inheriting.class).getBean(EmbeddedKafka.class)).isSameAs(kafka);
    }

    @Test
    void aComposedAnnotationWithTheSameValuesSharesTheBroker() {
        EmbeddedKafka kafka = contextOf(First.class).getBean(EmbeddedKafka.class);

        assertThat(contextOf(Composed.class).getBean(EmbeddedKafka.class)).isSameAs(kafka);
    }

    @Test
    void aDifferentAnnotationGetsItsOwnBroker() {
        EmbeddedKafka kafka = contextOf(First.class).getBean(EmbeddedKafka.class);

        EmbeddedKafka other = contextOf(DifferentPartitions.class).getBean(EmbeddedKafka.class);

        assertThat(other).isNotSameAs(kafka);
        assertThat(other.getBootstrapServers()).isNotEqualTo(kafka.getBootstrapServers());
        assertThat(other.getSettings().getDefaultPartitions()).isEqualTo(2);
        assertThat(kafka.isRunning(1)).isTrue();
        assertThat(other.isRunning(1)).isTrue();
    }

    @Test
    void bootstrapServersPropertyNamesThePropertyThatIsSet() {
        Environment environment = contextOf(DifferentProperty.class).getEnvironment();
        EmbeddedKafka kafka = contextOf(DifferentProperty.class).getBean(EmbeddedKafka.class);

        assertThat(environment.getProperty("payments.kafka.brokers")).isEqualTo(kafka.getBootstrapServers());
        assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isNull();
    }
}
