package io.github.kproducer.bench

import kotlin.math.sqrt

/**
 * The median of some measurements, how far they spread, and how well the median is known.
 *
 * [halfWidth] is the half-width of a 95% interval of the median, from the interquartile range: the
 * standard error of a median is about 1.2533 σ / √n, σ is about IQR / 1.349, so the half-width is
 * 1.96 × 1.2533 / 1.349 × IQR / √n ≈ 1.82 IQR / √n. Robust to the odd slow run that a shared
 * machine produces, unlike a standard deviation.
 */
internal class Spread private constructor(
    val values: List<Double>,
) {
    private val sorted = values.sorted()

    val median: Double get() = quantile(0.5)
    val min: Double get() = sorted.first()
    val max: Double get() = sorted.last()
    val lowerQuartile: Double get() = quantile(0.25)
    val upperQuartile: Double get() = quantile(0.75)

    /** The half-width of the median's 95% interval; infinite with fewer than three values. */
    val halfWidth: Double get() = if (values.size < 3) Double.POSITIVE_INFINITY else 1.82 * (upperQuartile - lowerQuartile) / sqrt(values.size.toDouble())

    /** [halfWidth] over [median]: 0.03 means the median is known to within 3%. */
    val relativeHalfWidth: Double get() = halfWidth / median

    /** Linear interpolation between the closest ranks. */
    private fun quantile(q: Double): Double {
        val position = q * (sorted.size - 1)
        val below = position.toInt()
        val above = minOf(below + 1, sorted.size - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
    }

    /** `1.000 ±0.012 [0.95-1.04]`: the median, its 95% half-width, and the range of all values. */
    fun describe(): String = "%.3f ±%.3f [%.2f-%.2f]".format(median, halfWidth, min, max)

    companion object {
        fun of(values: List<Double>): Spread {
            require(values.isNotEmpty()) { "no values" }
            return Spread(values)
        }
    }
}
