package io.github.kproducer.dsl.internal.delivery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicIntegerArray
import kotlin.concurrent.thread

class DeliveriesSpec :
    FunSpec({
        for (role in DrainRole.entries) {
            test("$role: drains replaced over and over while they deliver lose and repeat nothing") {
                val pool = Executors.newFixedThreadPool(4)
                val deliveries = Deliveries(pool, role)
                val count = 100_000
                val runs = AtomicIntegerArray(count)
                val done = CountDownLatch(count)
                val pusher =
                    thread(name = "kafka-producer-network-thread | fake") {
                        for (i in 0 until count) {
                            deliveries.deliver(
                                object : QueuedWork() {
                                    override fun runQueued() {
                                        // Now and then a delivery that takes a while, for the looks below to find stalled.
                                        if (i % 500 == 0) Thread.sleep(1)
                                        runs.incrementAndGet(i)
                                        done.countDown()
                                    }
                                },
                            )
                        }
                    }
                // The watchdog's look with a clock a stall time ahead each time: every delivery seen twice replaces its drain.
                val replacing = AtomicBoolean(true)
                val looks = AtomicInteger()
                val replacer =
                    thread {
                        var now = System.nanoTime()
                        while (replacing.get()) {
                            now += role.stallNanos
                            deliveries.checkStall(now)
                            looks.incrementAndGet()
                            Thread.onSpinWait()
                        }
                    }
                try {
                    done.await(60, TimeUnit.SECONDS) shouldBe true
                    pusher.join(5_000)
                    // Every delivery ran, and none twice: a replaced drain never took a batch or a node that its successor had.
                    (0 until count).count { runs[it] != 1 } shouldBe 0
                } finally {
                    replacing.set(false)
                    replacer.join(5_000)
                    pool.shutdownNow()
                }
            }
        }
    })
