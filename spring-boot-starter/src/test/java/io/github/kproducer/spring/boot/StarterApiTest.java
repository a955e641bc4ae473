package io.github.kproducer.spring.boot;

import io.github.kproducer.build.ApiDump;
import io.github.kproducer.build.JavaSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The starter's public API against its committed dump, and what Java callers meet in it. */
class StarterApiTest {
    @Test
    void thePublicApiMatchesTheCommittedDump() {
        ApiDump.INSTANCE.verify("kproducer-spring-boot-starter", Path.of("target", "classes"), Path.of("api"));
    }

    @Test
    void javaCallersMeetNoKotlinShapedNames() {
        JavaSurface.INSTANCE.verify("kproducer-spring-boot-starter", Path.of("api"));
    }
}
