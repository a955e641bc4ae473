package io.github.kproducer.dsl

/**
 * How many replicas must have a record before the broker acknowledges it (`acks`).
 *
 * @property kafkaValue the value of the `acks` property.
 */
public enum class Acks(
    public val kafkaValue: String,
) {
    /** `acks=0`: the producer does not wait at all; a record can be lost without any error. */
    NONE("0"),

    /** `acks=1`: the partition leader has written it; lost if the leader fails before followers copy it. */
    LEADER("1"),

    /**
     * `acks=all`: every in-sync replica has it (at least `min.insync.replicas`). Required for the
     * idempotent and transactional producer. Alone it gives at-least-once delivery, not exactly-once.
     */
    ALL("all"),
}
