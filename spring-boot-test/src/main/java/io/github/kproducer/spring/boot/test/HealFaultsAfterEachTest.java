package io.github.kproducer.spring.boot.test;

import io.github.kproducer.testkit.EmbeddedKafka;
import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Closes the fault scopes a test left open on its context's {@link AutoConfigureEmbeddedKafka} cluster, after each
 * test method: the cluster outlives the test (Spring caches its context), so an open scope would otherwise break
 * the tests after it. Listed in {@code META-INF/spring.factories}; a context without the annotation's cluster (or
 * not loaded at all) is left alone.
 *
 * <p>Written in Java for the reason given on {@link EmbeddedKafkaContextCustomizerFactory}. Stateless; never blocks.
 */
final class HealFaultsAfterEachTest implements TestExecutionListener, Ordered {
    @Override
    public void afterTestMethod(TestContext testContext) {
        if (!testContext.hasApplicationContext()) return;
        var context = testContext.getApplicationContext();
        if (context.containsBean(EmbeddedKafkaContextCustomizer.BEAN_NAME)
                && context.getBean(EmbeddedKafkaContextCustomizer.BEAN_NAME) instanceof EmbeddedKafka kafka) {
            kafka.healAllFaults();
        }
    }

    /** Late, after the listeners that roll back or dirty the context, so that they still see the faults. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 100;
    }
}
