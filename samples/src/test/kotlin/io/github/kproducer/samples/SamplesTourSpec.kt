package io.github.kproducer.samples

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream

class SamplesTourSpec :
    FunSpec({
        test("the tour knows every program of the study notes' checklist, each by a unique name") {
            val names = SamplesTour.samples.map { it.name }
            names.toSet().size shouldBe names.size
            names shouldContainAll
                listOf(
                    "send-modes",
                    "simple-producer",
                    "simple-producer-java",
                    "producer-example",
                    "producer-example-java",
                    "json-events",
                    "batch-and-parallel",
                    "partitioning",
                    "transactions",
                    "exactly-once",
                    "performance",
                    "broker-failure",
                    "key-ordering",
                    "monitoring",
                    "headers-interceptors",
                    "presets",
                    "back-pressure",
                    "compression",
                )
        }

        test("--list prints each sample with its study notes") {
            val out = ByteArrayOutputStream()
            val original = System.out
            System.setOut(PrintStream(out, true))
            try {
                SamplesTour.main(arrayOf("--list"))
            } finally {
                System.setOut(original)
            }
            out.toString() shouldContain "compression"
            out.toString() shouldContain "notes 002, 004"
        }
    })
