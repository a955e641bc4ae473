package io.github.kproducer.spring.boot.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.kproducer.testkit.EmbeddedKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextManager;

/** The broker starts with its context and closes with it, after the application's beans; a configuration the test kit refuses fails the context, naming the annotation. */
class BrokerLifecycleTest {
    @SpringBootTest(classes = {TestApplication.class, BrokerWatcher.class})
    @AutoConfigureEmbeddedKafka(topics = "closing")
    static class Closing {}

    /**
     * A bean of the application that, when the context destroys it, checks the broker still answers, as a client
     * closing then needs. It reaches the broker through the property only, not the bean, so Spring knows of no
     * dependency between them: the order is the one the customizer gives.
     */
    static class BrokerWatcher implements DisposableBean {
        static final AtomicReference<Boolean> BROKER_ANSWERED_AT_DESTROY = new AtomicReference<>();

        @Value("${spring.kafka.bootstrap-servers}")
        String bootstrapServers;

        @Override
        public void destroy() {
            BROKER_ANSWERED_AT_DESTROY.set(connects(addressOf(bootstrapServers)));
        }
    }

    @SpringBootConfiguration
    static class EmptyApplication {}

    @SpringBootTest(classes = EmptyApplication.class)
    @AutoConfigureEmbeddedKafka(brokerProperties = "log.retention.msx=60000")
    static class UnknownBrokerProperty {}

    @SpringBootTest(classes = EmptyApplication.class)
    @AutoConfigureEmbeddedKafka(brokerProperties = "log.retention.ms")
    static class BrokerPropertyWithoutValue {}

    @SpringBootTest(classes = EmptyApplication.class)
    @AutoConfigureEmbeddedKafka(brokers = 0)
    static class NoBrokers {}

    @SpringBootTest(classes = EmptyApplication.class)
    @AutoConfigureEmbeddedKafka(brokerProperties = "num.network.threads=many")
    static class BrokerPropertyKafkaRejects {}

    @Test
    void theBrokerClosesWhenTheContextIsMarkedDirty() {
        TestContext testContext = new TestContextManager(Closing.class).getTestContext();
        ConfigurableApplicationContext context = (ConfigurableApplicationContext) testContext.getApplicationContext();
        EmbeddedKafka kafka = context.getBean(EmbeddedKafka.class);
        InetSocketAddress address = addressOf(kafka.getBootstrapServers());
        assertThat(kafka.isRunning(1)).isTrue();
        assertThat(connects(address)).as("a connection to the running broker").isTrue();

        BrokerWatcher.BROKER_ANSWERED_AT_DESTROY.set(null);

        testContext.markApplicationContextDirty(null);

        assertThat(context.isActive()).isFalse();
        assertThat(BrokerWatcher.BROKER_ANSWERED_AT_DESTROY.get()).as("the broker answered while the application's beans closed").isTrue();
        assertThat(kafka.isRunning(1)).as("the broker of the closed context").isFalse();
        assertThat(connects(address)).as("a connection to the closed broker").isFalse();
    }

    @Test
    void theBrokerClosesWhenTheContextCloses() {
        TestContext testContext = new TestContextManager(Closing.class).getTestContext();
        ConfigurableApplicationContext context = (ConfigurableApplicationContext) testContext.getApplicationContext();
        EmbeddedKafka kafka = context.getBean(EmbeddedKafka.class);

        try {
            context.close();

            assertThat(kafka.isRunning(1)).as("the broker of the closed context").isFalse();
            assertThat(connects(addressOf(kafka.getBootstrapServers()))).as("a connection to the closed broker").isFalse();
        } finally {
            testContext.markApplicationContextDirty(null);
        }
    }

    @Test
    void anUnknownBrokerPropertyFailsTheContextNamingTheAnnotation() {
        assertThat(loadFailure(UnknownBrokerProperty.class))
                .hasMessageContaining("@AutoConfigureEmbeddedKafka(brokerProperties = {\"log.retention.msx=...\"})")
                .hasMessageContaining(UnknownBrokerProperty.class.getName())
                .hasMessageContaining("unknown broker property 'log.retention.msx'; did you mean 'log.retention.ms'?")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBrokerPropertyWithoutValueFailsTheContextNamingTheAnnotation() {
        assertThat(loadFailure(BrokerPropertyWithoutValue.class))
                .hasMessageContaining("@AutoConfigureEmbeddedKafka(")
                .hasMessageContaining("brokerProperties entries must be \"key=value\", one was \"log.retention.ms\"");
    }

    @Test
    void anInvalidBrokerCountFailsTheContextNamingTheAnnotation() {
        assertThat(loadFailure(NoBrokers.class))
                .hasMessageContaining("@AutoConfigureEmbeddedKafka(brokers = 0)")
                .hasMessageContaining("brokers must be between 1 and 9, was 0");
    }

    @Test
    void aBrokerPropertyValueKafkaRejectsFailsTheContextNamingTheAnnotation() {
        assertThat(loadFailure(BrokerPropertyKafkaRejects.class))
                .hasMessageStartingWith("@AutoConfigureEmbeddedKafka(brokerProperties = {\"num.network.threads=...\"}) on "
                        + BrokerPropertyKafkaRejects.class.getName() + " is invalid:")
                .hasMessageContaining("Invalid value many for configuration num.network.threads")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    /** The exception of this module in the chain of the failure to load {@code testClass}'s context. */
    private static IllegalStateException loadFailure(Class<?> testClass) {
        TestContext testContext = new TestContextManager(testClass).getTestContext();
        Throwable thrown = catchThrowable(testContext::getApplicationContext);
        assertThat(thrown).isNotNull();
        Throwable cause = thrown;
        while (cause != null && !(cause instanceof IllegalStateException && String.valueOf(cause.getMessage()).startsWith("@AutoConfigureEmbeddedKafka"))) {
            cause = cause.getCause();
        }
        assertThat(cause).as("the failure naming the annotation, in the chain of %s", thrown).isNotNull();
        return (IllegalStateException) cause;
    }

    private static InetSocketAddress addressOf(String bootstrapServers) {
        String first = bootstrapServers.split(",")[0];
        int colon = first.lastIndexOf(':');
        return new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
    }

    /** Whether a TCP connection to {@code address} opens within 5 seconds; a refused or timed-out one does not. */
    private static boolean connects(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
