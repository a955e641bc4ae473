package io.github.kproducer.dsl.internal.config

import io.github.kproducer.dsl.SendErrorHandler
import io.github.kproducer.dsl.SendListener
import io.github.kproducer.dsl.internal.tracing.SendTracing
import kotlin.time.Duration

/** The [io.github.kproducer.dsl.KProducerOptions] of one producer, frozen when it is built. */
internal class ProducerBehaviour<K, V>(
    val errorHandler: SendErrorHandler<K, V>,
    val listeners: List<SendListener<K, V>>,
    val closeTimeout: Duration,
    val maxInFlightRecords: Int,
    val copyContextHeaders: Boolean,
    /** Null when sends are not traced. */
    val tracing: SendTracing?,
)
