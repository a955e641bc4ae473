package io.github.kproducer.testkit.internal

import org.apache.kafka.clients.admin.ForwardingAdmin
import java.time.Duration

/**
 * The admin client the test kit hands out: Kafka's own, except that closing waits at most
 * [CLOSE_BOUND] for calls still running, then aborts them (Kafka's `TimeoutException`).
 *
 * Kafka's `Admin.close()` waits without a bound. Under load a call once stayed pending for minutes
 * after the wait that issued it had ended (`AdminWaitsSpec`, a topic that never serves), and the
 * test's `admin().use { }` held its spec for the whole Kotest timeout.
 */
internal class BoundedCloseAdmin(
    configs: Map<String, Any>,
) : ForwardingAdmin(configs) {
    override fun close(timeout: Duration) {
        super.close(if (timeout > CLOSE_BOUND) CLOSE_BOUND else timeout)
    }

    override fun toString(): String = "Admin(test kit, close waits at most ${CLOSE_BOUND.toSeconds()} s)"

    companion object {
        /** The longest a close waits for calls still running. */
        val CLOSE_BOUND: Duration = Duration.ofSeconds(10)
    }
}
