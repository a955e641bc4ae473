package io.github.kproducer.dsl

import io.github.kproducer.build.ApiDump
import io.github.kproducer.build.JavaSurface
import io.kotest.core.spec.style.FunSpec

class ApiDumpSpec :
    FunSpec({
        test("the public API of kproducer-dsl matches the committed dump api/kproducer-dsl.api") {
            ApiDump.verify("kproducer-dsl")
        }

        test("Java callers of kproducer-dsl meet no Companion, INSTANCE, mangled name or kotlin.* type the allow-list does not explain") {
            JavaSurface.verify("kproducer-dsl")
        }
    })
