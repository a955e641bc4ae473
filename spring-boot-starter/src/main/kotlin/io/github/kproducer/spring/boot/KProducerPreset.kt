package io.github.kproducer.spring.boot

/** The DSL's presets, by the name `kproducer.preset` takes (`reliable`, `high-throughput`, `low-latency`). */
public enum class KProducerPreset {
    /** `reliable()`: acks=all, idempotence, no duplicates or reordering on retry (payments). */
    RELIABLE,

    /** `highThroughput()`: larger batches, lz4, a short linger (logs, events). */
    HIGH_THROUGHPUT,

    /** `lowLatency()`: no linger, leader acknowledgement (interactive paths). */
    LOW_LATENCY,
}
