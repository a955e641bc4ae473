package io.github.kproducer.dsl

/**
 * A snapshot of a producer's key metrics, from [KProducer.metrics].
 *
 * The counts are kept by the [KProducer] for every record it sent, whatever the underlying
 * producer. The rates, latencies and sizes are the Kafka client's own (`producer-metrics` group);
 * they are `null` when the producer has no such metric (a mock) and may be `NaN` before the first
 * sample, as Kafka reports them.
 */
public class ProducerMetrics internal constructor(
    /** Records acknowledged by the broker since the producer was created. */
    public val acknowledged: Long,
    /** Records that failed since the producer was created. */
    public val failed: Long,
    /** Records handed to Kafka and not completed yet. */
    public val inFlight: Long,
    /** `record-send-rate`: records sent per second. */
    public val recordSendRate: Double?,
    /** `record-error-rate`: failed record sends per second. */
    public val recordErrorRate: Double?,
    /** `record-retry-rate`: retried record sends per second. */
    public val recordRetryRate: Double?,
    /** `request-latency-avg`: average request latency in milliseconds. */
    public val requestLatencyAvgMs: Double?,
    /** `request-latency-max`: maximum request latency in milliseconds. */
    public val requestLatencyMaxMs: Double?,
    /** `batch-size-avg`: average bytes per partition batch. */
    public val batchSizeAvg: Double?,
    /** `compression-rate-avg`: average compressed size divided by uncompressed size of batches. */
    public val compressionRateAvg: Double?,
    /** `buffer-available-bytes`: free bytes in the send buffer. */
    public val bufferAvailableBytes: Double?,
    /** `requests-in-flight`: requests sent and not answered yet. */
    public val requestsInFlight: Double?,
) {
    override fun toString(): String =
        "ProducerMetrics(acknowledged=$acknowledged, failed=$failed, inFlight=$inFlight, recordSendRate=$recordSendRate, " +
            "recordErrorRate=$recordErrorRate, recordRetryRate=$recordRetryRate, requestLatencyAvgMs=$requestLatencyAvgMs, " +
            "requestLatencyMaxMs=$requestLatencyMaxMs, batchSizeAvg=$batchSizeAvg, compressionRateAvg=$compressionRateAvg, " +
            "bufferAvailableBytes=$bufferAvailableBytes, requestsInFlight=$requestsInFlight)"
}
