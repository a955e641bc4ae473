package io.github.kproducer.testkit

import app.cash.turbine.test
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.extensions.install
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.apache.kafka.clients.producer.KafkaProducer
import org.apache.kafka.clients.producer.ProducerRecord
import org.apache.kafka.common.serialization.StringSerializer
import java.lang.management.ManagementFactory
import javax.management.ObjectName
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class LiveProbesSpec :
    FunSpec({
        val kafka = install(EmbeddedKafkaExtension())
        val producer by lazy { KafkaProducer(kafka.connectionProperties(), StringSerializer(), StringSerializer()) }
        afterSpec { producer.close() }

        fun send(
            topic: String,
            key: String,
            value: String = key,
            partition: Int? = null,
        ) {
            producer.send(ProducerRecord(topic, partition, key, value)).get()
        }

        fun openProbeConsumers() =
            ManagementFactory.getPlatformMBeanServer().queryNames(ObjectName("kafka.consumer:type=app-info,id=kproducer-testkit-probe-*"), null)

        test("records produced before collection are not seen; those after are, in order per partition") {
            kafka.createTopic("live-order", partitions = 2)
            send("live-order", "old", partition = 0)
            withTimeout(60.seconds) {
                kafka.records("live-order").test {
                    (1..3).forEach { send("live-order", "p0-$it", partition = 0) }
                    (1..3).forEach { send("live-order", "p1-$it", partition = 1) }
                    val got = List(6) { awaitItem() }
                    got.filter { it.partition() == 0 }.map { it.key() } shouldContainExactly listOf("p0-1", "p0-2", "p0-3")
                    got.filter { it.partition() == 1 }.map { it.key() } shouldContainExactly listOf("p1-1", "p1-2", "p1-3")
                    expectNoEvents()
                }
            }
        }

        test("with Turbine, a record produced inside the block is awaited and nothing else arrives") {
            kafka.createTopic("live-turbine")
            send("live-turbine", "o-0")
            withTimeout(60.seconds) {
                kafka.records("live-turbine").test {
                    send("live-turbine", "o-1")
                    awaitItem() shouldHaveKey "o-1"
                    expectNoEvents()
                }
            }
        }

        test("cancelling the collecting coroutine closes the consumer") {
            kafka.createTopic("live-cancel")
            withTimeout(60.seconds) {
                val job = launch { kafka.records("live-cancel").collect { } }
                withContext(Dispatchers.IO) { while (openProbeConsumers().isEmpty()) Thread.sleep(20) }
                job.cancel()
                job.join()
            }
            openProbeConsumers().shouldBeEmpty()
        }

        test("shouldEmitNothingWithin passes when nothing arrives and fails naming the record that does") {
            kafka.createTopic("live-nothing")
            withTimeout(60.seconds) {
                kafka.records("live-nothing").shouldEmitNothingWithin(300.milliseconds)
                val error =
                    shouldThrow<AssertionError> {
                        kafka.records("live-nothing").test {
                            send("live-nothing", "late")
                            awaitItem()
                        }
                        launch(Dispatchers.IO) {
                            Thread.sleep(200)
                            send("live-nothing", "late-2")
                        }
                        kafka.records("live-nothing").shouldEmitNothingWithin(20.seconds)
                    }
                error.message shouldContain "late-2"
            }
        }

        test("a probe's awaitRecords returns the new records and fails naming what it saw when fewer arrive") {
            kafka.createTopic("probe-await")
            send("probe-await", "before")
            kafka.probeStrings("probe-await").use { probe ->
                send("probe-await", "a")
                probe.awaitRecords(1, 30.seconds).map { it.key() } shouldContainExactly listOf("a")
                send("probe-await", "b")
                val error = shouldThrow<AssertionError> { probe.awaitRecords(2, 1.seconds) }
                error.message shouldContain "Expected 2 records on 'probe-await'"
                error.message shouldContain "1 arrived"
                error.message shouldContain "b"
            }
            openProbeConsumers().shouldBeEmpty()
        }

        test("a probe's expectNoRecords passes when none arrives and fails when one does") {
            kafka.createTopic("probe-none")
            send("probe-none", "before")
            kafka.probeStrings("probe-none").use { probe ->
                probe.expectNoRecords(300.milliseconds)
                send("probe-none", "intruder")
                val error = shouldThrow<AssertionError> { probe.expectNoRecords(20.seconds) }
                error.message shouldContain "intruder"
            }
        }

        test("a probe on a topic that does not exist fails at once with the reason") {
            shouldThrow<AssertionError> { kafka.probeStrings("no-such-topic") }.message shouldContain "does not exist"
        }

        test("the mock's shouldSendNothingWithin passes when nothing is sent and names what is sent during the wait") {
            val mock = MockKafkaProducer<String, String> { topic("orders", 1) }
            mock.send(ProducerRecord("orders", "earlier", "v"))
            mock.shouldSendNothingWithin(100.milliseconds)
            val error =
                shouldThrow<AssertionError> {
                    launch(Dispatchers.IO) {
                        Thread.sleep(50)
                        mock.send(ProducerRecord("orders", "o-late", "v"))
                    }
                    mock.shouldSendNothingWithin(1.seconds)
                }
            error.message shouldContain "o-late"
            (error.message ?: "") shouldContain "1 records"
            mock.shouldSendNothingWithin(java.time.Duration.ofMillis(50))
            mock.close()
        }
    })
