package io.github.kproducer.dsl

import io.github.kproducer.build.JavaSurface
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files

class JavaSurfaceRulesSpec :
    FunSpec({
        val dump =
            """
            public abstract interface class a/Api {
            	public static final field Companion La/Api${'$'}Companion;
            	public abstract fun send (Ljava/lang/String;Lkotlin/coroutines/Continuation;)Ljava/lang/Object;
            	public abstract fun flush (Lkotlin/coroutines/Continuation;)Ljava/lang/Object;
            	public abstract fun flushAsync ()Ljava/util/concurrent/CompletableFuture;
            	public abstract fun close-LRDsOJo (J)V
            	public final synthetic fun hidden-LRDsOJo (J)V
            	public fun getLevels ()Lkotlin/ranges/IntRange;
            	public fun getName ()Ljava/lang/String;
            }

            public final class a/Api${'$'}Companion {
            }

            public final class a/Assertions {
            	public static final field INSTANCE La/Assertions;
            }

            public final class a/FactoriesKt {
            }

            """.trimIndent()

        test("each kind of Kotlin artefact a Java caller would meet is found, and what Java reads well is not") {
            JavaSurface.findings(dump).map { it.kind to it.line.substringAfter("fun ").substringBefore(" (") }.shouldContainExactlyInAnyOrder(
                "a Companion field" to "public static final field Companion La/Api\$Companion;",
                "a suspend function with no sendAsync twin" to "send",
                "a mangled name" to "close-LRDsOJo",
                "a kotlin.* type" to "getLevels",
                "a Companion class" to "public final class a/Api\$Companion {",
                "an INSTANCE field" to "public static final field INSTANCE La/Assertions;",
                "a file facade named by Kotlin" to "public final class a/FactoriesKt {",
            )
        }

        test("a finding the allow-list explains passes; one it does not fails naming it and the fix; a line matching nothing fails as stale") {
            val api = tempdir().toPath()
            Files.writeString(api.resolve("m.api"), dump)
            Files.writeString(
                api.resolve("m.java-surface"),
                """
                # comment
                ^a/Api  =>  an interface with statics
                ^a/Assertions  =>  an object
                ^a/Gone  =>  nothing matches this any more
                """.trimIndent(),
            )
            val message = shouldThrow<AssertionError> { JavaSurface.verify("m", api) }.message!!
            message shouldContain "a file facade named by Kotlin: a/FactoriesKt"
            message shouldContain "add a line to"
            message shouldNotContain "a/Api "
            message shouldContain "match nothing any more"
            message shouldContain "^a/Gone"
        }

        test("an allow-list line without a reason is refused, naming the line") {
            shouldThrow<IllegalArgumentException> { JavaSurface.parseAllowList(listOf("^a/Api")) }.message shouldContain "without a reason"
        }
    })
