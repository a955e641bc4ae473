package io.github.kproducer.dsl

import io.github.kproducer.build.ApiDump
import io.kotest.core.spec.style.FunSpec

class ApiDumpSpec :
    FunSpec({
        test("the public API of kproducer-dsl matches the committed dump api/kproducer-dsl.api") {
            ApiDump.verify("kproducer-dsl")
        }
    })
