package io.github.kproducer.spring.boot.test;

import io.github.kproducer.build.ApiDump;
import io.github.kproducer.build.JavaSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ApiDumpTest {
    private static final String MODULE = "kproducer-spring-boot-test";

    @Test
    void thePublicApiMatchesTheCommittedDump() {
        ApiDump.INSTANCE.verify(MODULE, Path.of("target", "classes"), Path.of("api"));
    }

    @Test
    void javaCallersMeetNoKotlinArtefactTheAllowListDoesNotExplain() {
        JavaSurface.INSTANCE.verify(MODULE, Path.of("api"));
    }
}
