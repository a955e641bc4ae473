package io.github.kproducer.spring.boot.test;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Spring's entry point to {@link AutoConfigureEmbeddedKafka}, listed in {@code META-INF/spring.factories}: finds the
 * annotation on a test class and returns the {@link EmbeddedKafkaContextCustomizer} that starts its cluster, or
 * {@code null} when the class is not annotated.
 *
 * <p>The annotation is looked up with {@link TestContextAnnotationUtils#findMergedAnnotation}, so it is found on
 * superclasses, on the enclosing classes of {@code @Nested} classes (unless {@code @NestedTestConfiguration(OVERRIDE)}
 * says otherwise) and as a meta-annotation.
 *
 * <p>Written in Java on purpose: Spring Framework 7.0's {@code SpringFactoriesLoader} looks up the primary
 * constructor of any Kotlin class it instantiates with kotlin-reflect, without checking that kotlin-reflect is
 * present, and the TestContext framework silently skips a factory that fails that way. A Java class needs no
 * kotlin-reflect on the test classpath.
 *
 * <p>Stateless and thread-safe. Spring instantiates it reflectively through its no-argument constructor.
 */
final class EmbeddedKafkaContextCustomizerFactory implements ContextCustomizerFactory {
    /** Returns the customizer for {@code testClass}'s annotation, or {@code null} when there is none; never throws. */
    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        AutoConfigureEmbeddedKafka annotation =
                TestContextAnnotationUtils.findMergedAnnotation(testClass, AutoConfigureEmbeddedKafka.class);
        return annotation == null ? null : new EmbeddedKafkaContextCustomizer(annotation);
    }
}
