package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.EmbeddedKafka
import org.apache.kafka.clients.CommonClientConfigs
import org.apache.kafka.common.config.SaslConfigs
import org.apache.kafka.common.config.types.Password
import org.apache.kafka.common.security.scram.internals.ScramFormatter
import org.apache.kafka.common.security.scram.internals.ScramMechanism
import java.security.SecureRandom
import java.util.Base64

/**
 * The SASL users of one embedded cluster: the configured ones plus the super user, whose password
 * is random per cluster. Makes the broker's PLAIN JAAS configuration, the SCRAM credentials written
 * at format time, and each user's client properties.
 *
 * Passwords only leave this class inside Kafka [Password] values (whose `toString()` is `[hidden]`)
 * or in the broker's own password-typed settings.
 */
internal class SaslCredentials private constructor(
    private val passwords: Map<String, String>,
) {
    val users: Set<String> get() = passwords.keys

    /** The JAAS configuration of the broker's PLAIN mechanism: one `user_<name>` option per user. */
    fun plainServerJaas(): String =
        "org.apache.kafka.common.security.plain.PlainLoginModule required " +
            passwords.entries.joinToString(" ") { (name, password) -> "user_$name=\"$password\"" } + ";"

    /**
     * `kafka-storage format --add-scram` arguments for every user and SCRAM mechanism, in the
     * salted form: it has no commas or quotes, whatever the password holds.
     */
    fun scramArguments(): List<String> {
        val random = SecureRandom()
        return passwords.flatMap { (name, password) ->
            ScramMechanism.values().map { mechanism ->
                val salt = ByteArray(SALT_BYTES).also(random::nextBytes)
                val salted = ScramFormatter(mechanism).saltedPassword(password, salt, ITERATIONS)
                val b64 = Base64.getEncoder()
                "${mechanism.mechanismName()}=[name=$name,salt=${b64.encodeToString(salt)}," +
                    "saltedpassword=${b64.encodeToString(salted)},iterations=$ITERATIONS]"
            }
        }
    }

    /** The client properties that log in as [user] with [mechanism] over the SASL listener. */
    fun clientProperties(
        bootstrapServers: String,
        user: String,
        mechanism: String,
    ): Map<String, Any> {
        val password =
            passwords[user] ?: throw IllegalArgumentException(
                "There is no SASL user '$user' in this cluster; the users are ${users.toList()}. " +
                    "Add one with `saslUser(\"$user\", password)` in the EmbeddedKafka configuration.",
            )
        val module =
            when (mechanism) {
                "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule"

                in SCRAM_MECHANISMS -> "org.apache.kafka.common.security.scram.ScramLoginModule"

                else -> throw IllegalArgumentException(
                    "Unsupported SASL mechanism '$mechanism'; the embedded cluster accepts PLAIN, ${SCRAM_MECHANISMS.joinToString()}",
                )
            }
        return linkedMapOf(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG to bootstrapServers,
            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG to "SASL_PLAINTEXT",
            SaslConfigs.SASL_MECHANISM to mechanism,
            SaslConfigs.SASL_JAAS_CONFIG to Password("$module required username=\"$user\" password=\"$password\";"),
        )
    }

    override fun toString(): String = "SaslCredentials(users=$users, passwords=[hidden])"

    companion object {
        private const val SALT_BYTES = 16
        private const val ITERATIONS = 4096
        private val SCRAM_MECHANISMS = ScramMechanism.values().map { it.mechanismName() }

        fun of(configured: Map<String, String>): SaslCredentials {
            val superPassword = ByteArray(24).also(SecureRandom()::nextBytes).let { Base64.getUrlEncoder().withoutPadding().encodeToString(it) }
            return SaslCredentials(linkedMapOf(EmbeddedKafka.SUPER_USER to superPassword) + configured)
        }
    }
}
