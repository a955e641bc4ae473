package io.github.kproducer.testkit.internal

/**
 * The candidate closest to [word] by edit distance, if it is close enough to be a typo
 * (at most a third of the word's length, and at least 1); `null` otherwise.
 */
internal fun closest(
    word: String,
    candidates: Collection<String>,
): String? {
    val limit = maxOf(1, word.length / 3)
    return candidates
        .map { it to editDistance(word, it) }
        .filter { it.second <= limit }
        .minByOrNull { it.second }
        ?.first
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from [a] to [b]. */
internal fun editDistance(
    a: String,
    b: String,
): Int {
    var previous = IntArray(b.length + 1) { it }
    var current = IntArray(b.length + 1)
    for (i in 1..a.length) {
        current[0] = i
        for (j in 1..b.length) {
            val substitution = previous[j - 1] + if (a[i - 1] == b[j - 1]) 0 else 1
            current[j] = minOf(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        val swap = previous
        previous = current
        current = swap
    }
    return previous[b.length]
}
