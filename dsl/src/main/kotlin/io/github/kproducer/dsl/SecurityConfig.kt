package io.github.kproducer.dsl

/**
 * TLS settings of a producer (`ssl.*`); set inside `ssl { }` of [KProducerConfig].
 *
 * Passwords are kept as Kafka `Password` values: `toString()` and logs show `[hidden]`.
 */
@KProducerDsl
public class SslConfig internal constructor() {
    /** `ssl.truststore.location`: the trust store that holds the brokers' CA certificates. */
    public var truststoreLocation: String? = null

    /** `ssl.truststore.password`. */
    public var truststorePassword: String? = null

    /** `ssl.truststore.type`: `JKS` or `PKCS12` (Kafka's default is `JKS`). */
    public var truststoreType: String? = null

    /** `ssl.keystore.location`: the key store with this client's certificate, for mutual TLS. */
    public var keystoreLocation: String? = null

    /** `ssl.keystore.password`; required with [keystoreLocation]. */
    public var keystorePassword: String? = null

    /** `ssl.key.password`: the password of the private key in the key store, when it differs. */
    public var keyPassword: String? = null

    /** `ssl.keystore.type`: `JKS` or `PKCS12` (Kafka's default is `JKS`). */
    public var keystoreType: String? = null

    /**
     * Whether the broker's host name must match its certificate (`ssl.endpoint.identification.algorithm`
     * `https`, Kafka's default). Turn it off only for test certificates.
     */
    public var verifyHostname: Boolean? = null

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
    public var mechanism: SaslMechanism? = null

    /** The user name; required. */
    public var username: String? = null

    /** The password; required. */
    public var password: String? = null

    override fun toString(): String = "SaslConfig(mechanism=$mechanism, username=$username, password=[hidden])"
}
