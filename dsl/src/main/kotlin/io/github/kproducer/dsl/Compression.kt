package io.github.kproducer.dsl

/**
 * Compression codec of record batches (`compression.type`); the broker stores batches as sent and
 * consumers decompress per batch.
 *
 * @property kafkaValue the value of the `compression.type` property.
 */
public enum class Compression(
    /** The value of the `compression.type` property. */
    public val kafkaValue: String,
    /** The compression levels the codec accepts, or `null` when it has none; Java reads [minLevel] and [maxLevel]. */
    @get:JvmSynthetic
    public val levels: IntRange?,
) {
    /** No compression. */
    NONE("none", null),

    /** gzip: high ratio, the most CPU; levels 1 to 9. */
    GZIP("gzip", 1..9),

    /** snappy: fast, moderate ratio; no levels. */
    SNAPPY("snappy", null),

    /** lz4: very fast, a good default for throughput; levels 1 to 17. */
    LZ4("lz4", 1..17),

    /** zstd: a high ratio at moderate CPU; levels -131072 to 22. */
    ZSTD("zstd", -131072..22),
    ;

    /** The lowest compression level the codec accepts, or `null` when it has no levels. */
    public val minLevel: Int? get() = levels?.first

    /** The highest compression level the codec accepts, or `null` when it has no levels. */
    public val maxLevel: Int? get() = levels?.last
}
