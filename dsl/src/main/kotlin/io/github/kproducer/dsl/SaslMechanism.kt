package io.github.kproducer.dsl

/**
 * SASL mechanisms that authenticate with a user name and password.
 *
 * @property kafkaValue the value of the `sasl.mechanism` property.
 * @property loginModule the JAAS login module the mechanism uses.
 */
public enum class SaslMechanism(
    public val kafkaValue: String,
    public val loginModule: String,
) {
    /** `PLAIN`: the password travels as is; use it only over TLS (`SASL_SSL`). */
    PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),

    /** `SCRAM-SHA-256`: salted challenge-response; the password never travels. */
    SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),

    /** `SCRAM-SHA-512`: salted challenge-response with SHA-512. */
    SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule"),
}
