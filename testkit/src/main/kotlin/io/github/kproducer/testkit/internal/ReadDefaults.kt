package io.github.kproducer.testkit.internal

import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/** How long a read waits for records unless told otherwise: 30 seconds. */
internal val DEFAULT_READ_TIMEOUT: Duration = 30.seconds
