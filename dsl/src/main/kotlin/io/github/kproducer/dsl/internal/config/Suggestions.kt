package io.github.kproducer.dsl.internal.config

/**
 * The candidate closest to [word] by Levenshtein distance, when it is close enough to be a typo:
 * at most a third of the word's length (at least 1). `null` otherwise.
 */
internal fun closestKey(
    word: String,
    candidates: Collection<String>,
): String? {
    val limit = maxOf(1, word.length / 3)
    var best: String? = null
    var bestDistance = limit + 1
    for (candidate in candidates) {
        val distance = levenshtein(word, candidate, bestDistance)
        if (distance < bestDistance) {
            best = candidate
            bestDistance = distance
        }
    }
    return best
}

/** Edit distance between [a] and [b], or any value >= [cap] once it is certain to reach [cap]. */
private fun levenshtein(
    a: String,
    b: String,
    cap: Int,
): Int {
    if (kotlin.math.abs(a.length - b.length) >= cap) return cap
    var row = IntArray(b.length + 1) { it }
    for (i in 1..a.length) {
        val next = IntArray(b.length + 1)
        next[0] = i
        var rowMin = next[0]
        for (j in 1..b.length) {
            val cost = if (a[i - 1] == b[j - 1]) 0 else 1
            next[j] = minOf(row[j] + 1, next[j - 1] + 1, row[j - 1] + cost)
            rowMin = minOf(rowMin, next[j])
        }
        if (rowMin >= cap) return cap
        row = next
    }
    return row[b.length]
}
