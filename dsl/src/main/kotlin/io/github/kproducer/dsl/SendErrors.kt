@file:JvmName("SendErrors")

package io.github.kproducer.dsl

import org.apache.kafka.common.errors.AuthenticationException
import org.apache.kafka.common.errors.ClusterAuthorizationException
import org.apache.kafka.common.errors.OutOfOrderSequenceException
import org.apache.kafka.common.errors.ProducerFencedException
import org.apache.kafka.common.errors.RetriableException
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException
import org.apache.kafka.common.errors.UnsupportedVersionException
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException

/**
 * Whether sending the same record again may succeed: the failure was transient (a leader election,
 * a timeout, not enough in-sync replicas, a lost connection). Kafka already retried it until
 * `delivery.timeout.ms`, so retry with care. Looks through `ExecutionException`/`CompletionException`.
 */
public val Throwable.isRetriable: Boolean
    get() = unwrapped() is RetriableException

/**
 * Whether the producer itself cannot go on: it was fenced by another instance with the same
 * `transactional.id`, lost its idempotence sequence, failed to authenticate, is not authorized for
 * its transactional id or the cluster, or talks to a broker that lacks a needed feature. Close it
 * and fix the cause; sending again will not help. A transactional KProducer closes itself on such
 * an error. (A record failing with `InvalidProducerEpochException` is not fatal by itself: the abort
 * that follows tells, and a fenced producer's abort throws `ProducerFencedException`.)
 *
 * A failure that is neither retriable nor fatal (a record too large, a serializer error, no WRITE on
 * one topic) is about the record: the producer can keep sending others.
 */
public val Throwable.isFatal: Boolean
    get() =
        when (unwrapped()) {
            is ProducerFencedException,
            is ClusterAuthorizationException,
            is OutOfOrderSequenceException,
            is AuthenticationException,
            is TransactionalIdAuthorizationException,
            is UnsupportedVersionException,
            -> true

            else -> false
        }

private fun Throwable.unwrapped(): Throwable {
    var current = this
    while ((current is ExecutionException || current is CompletionException) && current.cause != null) current = current.cause!!
    return current
}
