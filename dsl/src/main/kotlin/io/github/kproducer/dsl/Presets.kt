@file:JvmName("Presets")

package io.github.kproducer.dsl

import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * Sets the producer up for card payments: no record may be lost or duplicated, latency should stay
 * well under 500 ms, and throughput is high. Call it first in the configuration block, then override
 * what differs:
 * ```
 * kafkaProducer<String, Payment> {
 *     reliable()
 *     bootstrapServers = "..."
 *     linger = 2.milliseconds
 * }
 * ```
 * What it sets, and why:
 * - `acks = ALL` and idempotence: a record counts as sent only when every in-sync replica has it,
 *   and retries cannot duplicate or reorder it (at most 5 requests in flight keeps order).
 * - Unlimited retries within a 2 minute delivery timeout: transient failures (leader elections)
 *   are retried instead of surfacing, and the caller still hears of a failure within a bound.
 * - `linger = 5 ms`, 64 KiB batches and lz4: batching and cheap compression keep throughput high
 *   at a few milliseconds of latency.
 *
 * This gives exactly-once *writes* per partition. End-to-end exactly-once also needs transactions
 * (`transactionalId`) and `read_committed` consumers; `acks = ALL` alone is at-least-once.
 *
 * It sets producer settings only. No loss also needs the topic side, which a producer cannot set:
 * replication factor 3 and `min.insync.replicas = 2`, so that `acks = ALL` means two copies at least.
 */
public fun KProducerConfig<*, *>.reliable() {
    acks = Acks.ALL
    idempotence = true
    maxInFlight = 5
    retries = Int.MAX_VALUE
    deliveryTimeout = 2.minutes
    linger = 5.milliseconds
    batchSize = 64 * 1024
    compression = Compression.LZ4
}

/**
 * Sets the producer up for web click logs: losing an occasional record is acceptable, latency
 * hardly matters, volume is large and cost (network, disk) should be low. Call it first in the
 * configuration block, then override what differs. What it sets, and why:
 *
 * - `acks = LEADER`: one write per record instead of waiting for replicas; a leader failure can
 *   lose the records it had not replicated yet. Idempotence is off (it would need `acks = ALL`).
 * - `linger = 50 ms` and 256 KiB batches: large batches mean few requests per record.
 * - zstd: the best ratio for repetitive text like logs, so fewer bytes on the wire and on disk.
 * - 64 MiB of buffer absorbs bursts.
 */
public fun KProducerConfig<*, *>.highThroughput() {
    acks = Acks.LEADER
    idempotence = false
    linger = 50.milliseconds
    batchSize = 256 * 1024
    compression = Compression.ZSTD
    bufferMemory = 64L * 1024 * 1024
}

/**
 * Sets the producer up for interactive events where every millisecond counts and an occasional loss
 * on leader failure is acceptable. Call it first in the configuration block, then override what
 * differs. What it sets, and why:
 *
 * - `linger = 0`: a batch leaves as soon as the sender thread is free, without waiting to fill.
 * - `acks = LEADER`: one broker round trip, no wait for followers; idempotence off with it.
 * - No compression: no CPU time spent before the record leaves.
 * - A 5 second request timeout and a 10 second delivery timeout: a failure is reported within
 *   seconds instead of after minutes of retries.
 */
public fun KProducerConfig<*, *>.lowLatency() {
    acks = Acks.LEADER
    idempotence = false
    linger = 0.milliseconds
    compression = Compression.NONE
    requestTimeout = 5.seconds
    deliveryTimeout = 10.seconds
}
