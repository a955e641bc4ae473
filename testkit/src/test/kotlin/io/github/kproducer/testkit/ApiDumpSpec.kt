package io.github.kproducer.testkit

import io.github.kproducer.build.ApiDump
import io.kotest.core.spec.style.FunSpec

class ApiDumpSpec :
    FunSpec({
        test("the public API of kproducer-testkit matches the committed dump api/kproducer-testkit.api") {
            ApiDump.verify("kproducer-testkit")
        }
    })
