package io.github.kproducer.testkit

import io.github.kproducer.build.ApiDump
import io.github.kproducer.build.JavaSurface
import io.kotest.core.spec.style.FunSpec

class ApiDumpSpec :
    FunSpec({
        test("the public API of kproducer-testkit matches the committed dump api/kproducer-testkit.api") {
            ApiDump.verify("kproducer-testkit")
        }

        test("Java callers of kproducer-testkit meet no Companion, INSTANCE, mangled name or kotlin.* type the allow-list does not explain") {
            JavaSurface.verify("kproducer-testkit")
        }
    })
