package io.github.kproducer.testkit.support

import org.apache.kafka.clients.producer.Producer

/** The value of the client's `producer-metrics` metric [name] (`record-retry-total`, `produce-throttle-time-max`, ...). */
fun Producer<*, *>.metric(name: String): Double =
    metrics()
        .entries
        .single { it.key.name() == name && it.key.group() == "producer-metrics" }
        .value
        .metricValue() as Double
