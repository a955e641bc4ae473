package io.github.kproducer.dsl

/**
 * TLS settings of a producer (`ssl.*`); set inside `ssl { }` of [KProducerConfig].
 *
 * Passwords are kept as Kafka `Password` values: `toString()` and logs show `[hidden]`.
 */
@KProducerDsl
public class SslConfig internal constructor() {
    /** `ssl.truststore.location`: the trust store that holds the brokers' CA certificates. */
    @set:JvmSynthetic
    public var truststoreLocation: String? = null

    /** `ssl.truststore.password`. */
    @set:JvmSynthetic
    public var truststorePassword: String? = null

    /** `ssl.truststore.type`: `JKS` or `PKCS12` (Kafka's default is `JKS`). */
    @set:JvmSynthetic
    public var truststoreType: String? = null

    /** `ssl.keystore.location`: the key store with this client's certificate, for mutual TLS. */
    @set:JvmSynthetic
    public var keystoreLocation: String? = null

    /** `ssl.keystore.password`; required with [keystoreLocation]. */
    @set:JvmSynthetic
    public var keystorePassword: String? = null

    /** `ssl.key.password`: the password of the private key in the key store, when it differs. */
    @set:JvmSynthetic
    public var keyPassword: String? = null

    /** `ssl.keystore.type`: `JKS` or `PKCS12` (Kafka's default is `JKS`). */
    @set:JvmSynthetic
    public var keystoreType: String? = null

    /**
     * Whether the broker's host name must match its certificate (`ssl.endpoint.identification.algorithm`
     * `https`, Kafka's default). Turn it off only for test certificates.
     */
    @set:JvmSynthetic
    public var verifyHostname: Boolean? = null

    /** Sets [truststoreLocation] and returns this configuration (the Java form of `truststoreLocation = ...`). */
    public fun truststoreLocation(value: String?): SslConfig = apply { this.truststoreLocation = value }

    /** Sets [truststorePassword] and returns this configuration (the Java form of `truststorePassword = ...`). */
    public fun truststorePassword(value: String?): SslConfig = apply { this.truststorePassword = value }

    /** Sets [truststoreType] and returns this configuration (the Java form of `truststoreType = ...`). */
    public fun truststoreType(value: String?): SslConfig = apply { this.truststoreType = value }

    /** Sets [keystoreLocation] and returns this configuration (the Java form of `keystoreLocation = ...`). */
    public fun keystoreLocation(value: String?): SslConfig = apply { this.keystoreLocation = value }

    /** Sets [keystorePassword] and returns this configuration (the Java form of `keystorePassword = ...`). */
    public fun keystorePassword(value: String?): SslConfig = apply { this.keystorePassword = value }

    /** Sets [keyPassword] and returns this configuration (the Java form of `keyPassword = ...`). */
    public fun keyPassword(value: String?): SslConfig = apply { this.keyPassword = value }

    /** Sets [keystoreType] and returns this configuration (the Java form of `keystoreType = ...`). */
    public fun keystoreType(value: String?): SslConfig = apply { this.keystoreType = value }

    /** Sets [verifyHostname] and returns this configuration (the Java form of `verifyHostname = ...`). */
    public fun verifyHostname(value: Boolean?): SslConfig = apply { this.verifyHostname = value }

    override fun toString(): String = "SslConfig(truststoreLocation=$truststoreLocation, keystoreLocation=$keystoreLocation, passwords=[hidden])"
}

/**
 * SASL settings of a producer: a mechanism and the credentials it uses; set inside `sasl { }` of
 * [KProducerConfig]. They become `sasl.mechanism` and `sasl.jaas.config`.
 *
 * The password (and the JAAS configuration made from it) never appears in `toString()` or logs.
 */
@KProducerDsl
public class SaslConfig internal constructor() {
    /** The mechanism; required. */
    @set:JvmSynthetic
    public var mechanism: SaslMechanism? = null

    /** The user name; required. */
    @set:JvmSynthetic
    public var username: String? = null

    /** The password; required. */
    @set:JvmSynthetic
    public var password: String? = null

    /** Sets [mechanism] and returns this configuration (the Java form of `mechanism = ...`). */
    public fun mechanism(value: SaslMechanism?): SaslConfig = apply { this.mechanism = value }

    /** Sets [username] and returns this configuration (the Java form of `username = ...`). */
    public fun username(value: String?): SaslConfig = apply { this.username = value }

    /** Sets [password] and returns this configuration (the Java form of `password = ...`). */
    public fun password(value: String?): SaslConfig = apply { this.password = value }

    override fun toString(): String = "SaslConfig(mechanism=$mechanism, username=$username, password=[hidden])"
}
