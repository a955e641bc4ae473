package io.github.kproducer.dsl.internal.config

import io.github.kproducer.dsl.Acks
import io.github.kproducer.dsl.Compression
import io.github.kproducer.dsl.SaslConfig
import io.github.kproducer.dsl.SslConfig
import io.github.kproducer.dsl.internal.send.HandOff
import org.apache.kafka.clients.CommonClientConfigs
import org.apache.kafka.clients.producer.ProducerConfig
import org.apache.kafka.common.config.ConfigDef
import org.apache.kafka.common.config.ConfigException
import org.apache.kafka.common.config.types.Password
import org.apache.kafka.common.security.auth.SecurityProtocol
import org.apache.kafka.common.serialization.ByteArraySerializer
import org.apache.kafka.common.utils.Utils
import kotlin.time.Duration

/**
 * Turns the typed settings, raw properties and security blocks into the producer's properties,
 * and finds every problem with them: Kafka's own type and range checks, and the contradictions
 * Kafka reports late (at the first send) or never (by silently changing a setting).
 */
internal object ConfigRules {
    /** Placeholder key of the typed compression level; the real key depends on the codec. */
    const val COMPRESSION_LEVEL = "compression.level"

    internal val knownKeys: Set<String> by lazy { ProducerConfig.configNames() }
    internal val keyTypes: Map<String, ConfigDef.Type> by lazy { ProducerConfig.configDef().configKeys().mapValues { it.value.type } }

    class Resolved(
        val properties: Map<String, Any>,
        val problems: List<String>,
        /** How the send path judges blocking; see [HandOff]. */
        val lanes: LaneTuning,
    )

    fun missingSerializer(
        role: String,
        type: String,
        wording: Wording,
    ): String =
        "no ${role}Serializer for $role type $type: Kafka has built-in serializers for ${BuiltInSerializers.supported}; " +
            if (wording == Wording.KOTLIN) {
                "set ${role}Serializer(...) (a Serializer or a lambda `{ topic, $role -> bytes }`)"
            } else {
                "set .${role}Serializer(...) (a Serializer, such as new StringSerializer(), or a lambda (topic, $role) -> bytes), or " +
                    "start with KProducer.builder(keySerializer, valueSerializer)"
            }

    /**
     * Resolves the [typed] settings (each with its declaration), the [raw] properties, the [plugin]
     * properties and the security blocks into the producer's properties, in this order, and collects
     * every problem on the way.
     */
    fun resolve(
        typed: List<TypedValue>,
        raw: Map<String, Any>,
        plugin: Map<String, Any>,
        ssl: SslConfig?,
        sasl: SaslConfig?,
        wording: Wording = Wording.KOTLIN,
    ): Resolved {
        val resolution = Resolution(typed, wording)
        resolution.applyTyped()
        resolution.applyCompressionLevel()
        resolution.applyRaw(raw)
        resolution.applySecurity(ssl, sasl)
        resolution.applyPluginProperties(plugin)
        resolution.checkBootstrapServers()
        val parsed = resolution.parseWithKafka()
        if (parsed != null) resolution.checkContradictions(parsed)
        return Resolved(resolution.properties, resolution.problems, parsed?.let(LaneTuning::of) ?: LaneTuning.DEFAULT)
    }
}

/** One run of [ConfigRules.resolve]: the properties so far, the keys set explicitly, and the problems found. */
private class Resolution(
    private val typed: List<TypedValue>,
    private val wording: Wording,
) {
    val problems = mutableListOf<String>()
    val properties = LinkedHashMap<String, Any>()
    private val explicit = HashSet<String>()
    private val byKey: Map<String, TypedValue> = typed.associateBy { it.setting.key }

    private fun valueOf(key: String): Any? = byKey[key]?.value

    /** Typed settings, converted to Kafka's units and checked against their bounds. */
    fun applyTyped() {
        for (entry in typed) {
            val setting = entry.setting
            val value = entry.value
            if (value == null || setting.ownRule) continue
            val key = setting.key
            val name = setting.name
            val toKafka = setting.toKafka
            when {
                toKafka != null -> {
                    properties[key] = toKafka(value)
                }

                value is Duration -> {
                    val intKey = ConfigRules.keyTypes[key] == ConfigDef.Type.INT
                    when {
                        value.isNegative() -> {
                            problems += "${wording.setting(name)} must not be negative, was ${wording.duration(value)}"
                        }

                        intKey && value.inWholeMilliseconds > Int.MAX_VALUE -> {
                            problems +=
                                "${wording.setting(name)} must be at most ${Int.MAX_VALUE}ms (about 24 days), was ${wording.duration(value)}"
                        }

                        intKey -> {
                            properties[key] = value.inWholeMilliseconds.toInt()
                        }

                        else -> {
                            properties[key] = value.inWholeMilliseconds
                        }
                    }
                }

                value is Int || value is Long -> {
                    if ((value as Number).toLong() < setting.minimum) {
                        problems += "${wording.setting(name)} must be at least ${setting.minimum}, was $value"
                    } else {
                        properties[key] = value
                    }
                }

                else -> {
                    properties[key] = value
                }
            }
            explicit += key
        }
        val bootstrap = valueOf("bootstrap.servers") as String?
        if (bootstrap != null && bootstrap.isBlank()) properties.remove("bootstrap.servers")
    }

    /** The compression level: its key depends on the codec, its range too. */
    fun applyCompressionLevel() {
        val level = valueOf(ConfigRules.COMPRESSION_LEVEL) as Int? ?: return
        val compression = valueOf("compression.type") as Compression?
        val range = compression?.levels
        when {
            compression == null || range == null -> {
                problems += "compressionLevel $level needs a compression with levels (GZIP 1..9, LZ4 1..17, ZSTD -131072..22); " +
                    "compression is ${compression ?: "not set"}"
            }

            level !in range -> {
                problems += "compressionLevel for $compression must be in $range, was $level"
            }

            else -> {
                properties["compression.${compression.kafkaValue}.level"] = level
            }
        }
    }

    /** Raw properties: known keys only, never set twice. */
    fun applyRaw(raw: Map<String, Any>) {
        for ((key, value) in raw) {
            when {
                key in explicit -> {
                    problems +=
                        "'$key' is set twice: by ${byKey[key]?.setting?.name?.let(
                            wording::setting,
                        )} and by ${wording.call("property", "\"$key\", ...")}; keep one"
                }

                key !in ConfigRules.knownKeys && !key.startsWith(CommonClientConfigs.METRICS_CONTEXT_PREFIX) -> {
                    problems += "unknown producer property '$key'" +
                        (closestKey(key, ConfigRules.knownKeys)?.let { "; did you mean '$it'?" } ?: "") +
                        " (a setting read by your own plugin goes in ${wording.call("pluginProperty", "\"$key\", ...")})"
                }

                else -> {
                    properties[key] = Secrets.protect(key, value)
                    explicit += key
                }
            }
        }
    }

    /** The security blocks; a protocol given as a raw property counts too. */
    fun applySecurity(
        ssl: SslConfig?,
        sasl: SaslConfig?,
    ) {
        val typedProtocol = byKey.getValue("security.protocol")
        val rawProtocol = (properties["security.protocol"] as? String)?.let { runCatching { SecurityProtocol.forName(it) }.getOrNull() }
        val protocol = typedProtocol.value as SecurityProtocol? ?: rawProtocol
        SecurityRules(wording).apply(ssl, sasl, protocol, typedProtocol.setting.name, properties, explicit, problems)
    }

    /** Plugin properties: unchecked, but not a producer setting in disguise. */
    fun applyPluginProperties(plugin: Map<String, Any>) {
        for ((key, value) in plugin) {
            if (key in ConfigRules.knownKeys) {
                problems += "'$key' is a producer setting: set it with its typed ${if (wording == Wording.KOTLIN) "property" else "builder method"} or " +
                    "${wording.call("property", "\"$key\", ...")}, not ${wording.call("pluginProperty", "...")}"
            } else {
                properties[key] = value
            }
        }
    }

    /**
     * Bootstrap servers: required, `host:port` each, parsed as Kafka parses them: a comma-separated
     * string, or a `List` of addresses (what Spring Boot passes), each element one address.
     */
    fun checkBootstrapServers() {
        val servers = properties["bootstrap.servers"]
        if (servers == null) {
            problems += "bootstrapServers is not set: set ${wording.assign("bootstrapServers", "\"host1:9092,host2:9092\"")} (two or more brokers recommended)"
            return
        }
        // Kafka trims the entries of a string, not the elements of a list.
        val entries = if (servers is List<*>) servers.map { it.toString() } else servers.toString().split(',').map { it.trim() }
        val wrong = entries.filter { it.isNotEmpty() && (it != it.trim() || !isHostAndPort(it)) }
        wrong.forEach {
            problems +=
                if (it != it.trim()) {
                    "bootstrapServers entry '$it' has spaces around it, which Kafka does not trim from the elements of a list; remove them"
                } else {
                    "bootstrapServers entry '$it' is not host:port (an IPv6 address goes in brackets: [::1]:9092)"
                }
        }
        // One form from here on, the one Kafka logs and `KProducerSettings.bootstrapServers` shows.
        if (servers is List<*> && wrong.isEmpty()) properties["bootstrap.servers"] = entries.filter { it.isNotEmpty() }.joinToString(",")
    }

    /** Kafka's own checks of types and ranges; `null` when Kafka rejects a value (recorded as a problem). */
    fun parseWithKafka(): Map<String, Any?>? =
        try {
            // Kafka requires these three; the first is reported above, the serializers are instances.
            val forParsing =
                HashMap<String, Any>(properties).apply {
                    putIfAbsent("bootstrap.servers", "placeholder:9092")
                    putIfAbsent("key.serializer", ByteArraySerializer::class.java)
                    putIfAbsent("value.serializer", ByteArraySerializer::class.java)
                }
            ProducerConfig.configDef().parse(forParsing)
        } catch (e: ConfigException) {
            problems += "Kafka rejects a value: ${e.message}"
            null
        }

    /** The contradictions between settings that Kafka reports late (at the first send) or never. */
    fun checkContradictions(parsed: Map<String, Any?>) {
        checkIdempotence(parsed)
        checkTimeouts(parsed)
        checkSizes(parsed)
        if (parsed["transaction.timeout.ms"] != null && "transaction.timeout.ms" in explicit && parsed["transactional.id"] == null) {
            problems += "transactionTimeout has no effect without transactionalId; set transactionalId or remove transactionTimeout"
        }
    }

    private fun checkIdempotence(parsed: Map<String, Any?>) {
        val acks = parsed["acks"].toString()
        val retries = (parsed["retries"] as Number).toInt()
        val maxInFlight = (parsed["max.in.flight.requests.per.connection"] as Number).toInt()
        val transactional = parsed["transactional.id"] != null
        val idempotenceSet = "enable.idempotence" in explicit
        val idempotence = parsed["enable.idempotence"] as Boolean
        val acksAll = acks == "all" || acks == "-1"

        if (transactional && idempotenceSet && !idempotence) {
            problems += "transactionalId needs idempotence, but ${wording.assign("idempotence", "false")}; remove ${wording.assign("idempotence", "false")}"
        }
        if ((idempotenceSet && idempotence) || transactional) {
            val why = if (transactional) "transactionalId (which needs idempotence)" else wording.assign("idempotence", "true")
            if (!acksAll) {
                problems +=
                    "$why needs ${wording.assign("acks", "Acks.ALL")}, but acks is ${Acks.entries.firstOrNull { it.kafkaValue == acks } ?: acks}"
            }
            if (maxInFlight > 5) problems += "$why allows at most 5 requests in flight, but maxInFlight is $maxInFlight"
            if (retries == 0) problems += "$why needs retries > 0, but retries is 0"
        }
        // Kafka silently turns idempotence off when an unset idempotence meets a conflicting setting;
        // say what the producer will do instead.
        if (!idempotenceSet) properties["enable.idempotence"] = transactional || (acksAll && maxInFlight <= 5 && retries != 0)
    }

    private fun checkTimeouts(parsed: Map<String, Any?>) {
        val delivery = (parsed["delivery.timeout.ms"] as Number).toLong()
        val linger = (parsed["linger.ms"] as Number).toLong()
        val request = (parsed["request.timeout.ms"] as Number).toLong()
        // Kafka compares against the sum capped at Int.MAX_VALUE (KafkaProducer.configureDeliveryTimeout).
        val lingerAndRequest = minOf(linger + request, Int.MAX_VALUE.toLong())
        if (delivery >= lingerAndRequest) return
        if ("delivery.timeout.ms" in explicit) {
            problems += "deliveryTimeout ${delivery}ms must be at least linger + requestTimeout = ${lingerAndRequest}ms; " +
                "raise deliveryTimeout or lower linger/requestTimeout"
        } else {
            // Kafka raises an unset delivery timeout to linger + requestTimeout (with a warning); say so in the properties.
            properties["delivery.timeout.ms"] = lingerAndRequest.toInt()
        }
    }

    private fun checkSizes(parsed: Map<String, Any?>) {
        val bufferMemory = (parsed["buffer.memory"] as Number).toLong()
        val batchSize = (parsed["batch.size"] as Number).toLong()
        val maxRequestSize = (parsed["max.request.size"] as Number).toLong()
        // A batch larger than the buffer fails every send (BufferPool refuses the allocation); refuse it now.
        if (batchSize > bufferMemory) problems += "batchSize $batchSize exceeds bufferMemory $bufferMemory; one batch must fit in the buffer"
        // Kafka runs with a default max.request.size above a small buffer (only records above the buffer fail);
        // both set that way by hand is a promise of records the buffer can never hold.
        if (maxRequestSize > bufferMemory && "max.request.size" in explicit && "buffer.memory" in explicit) {
            problems += "maxRequestSize $maxRequestSize exceeds bufferMemory $bufferMemory; a record that large could never be buffered"
        }
    }

    /** Whether Kafka's client accepts [address] as a bootstrap server: `host:port`, `[ipv6]:port`, optionally after `PROTOCOL://`. */
    private fun isHostAndPort(address: String): Boolean {
        val host = Utils.getHost(address)
        val port = Utils.getPort(address)
        return !host.isNullOrEmpty() && port != null && port in 0..65535
    }
}

/** The `ssl { }` and `sasl { }` blocks and the security protocol, named in the caller's [wording]. */
private class SecurityRules(
    private val wording: Wording,
) {
    private val sslBlock = wording.block("ssl")
    private val saslBlock = wording.block("sasl")

    fun apply(
        ssl: SslConfig?,
        sasl: SaslConfig?,
        protocol: SecurityProtocol?,
        protocolName: String,
        properties: MutableMap<String, Any>,
        explicit: MutableSet<String>,
        problems: MutableList<String>,
    ) {
        val effective =
            protocol ?: when {
                sasl != null -> {
                    problems += "$saslBlock needs securityProtocol: set ${wording.assign("securityProtocol", "SecurityProtocol.SASL_SSL")} " +
                        "(or SASL_PLAINTEXT for a local test cluster)"
                    null
                }

                ssl != null -> {
                    SecurityProtocol.SSL
                }

                else -> {
                    null
                }
            }
        if (effective != null) set(properties, explicit, problems, "security.protocol", effective.name, protocolName)
        if (ssl != null) {
            if (effective == SecurityProtocol.PLAINTEXT || effective == SecurityProtocol.SASL_PLAINTEXT) {
                problems += "$sslBlock has no effect with securityProtocol $effective; use SSL or SASL_SSL"
            }
            sslProperties(ssl, problems).forEach { (k, v) -> set(properties, explicit, problems, k, v, sslBlock) }
        }
        if (sasl != null) {
            if (effective == SecurityProtocol.PLAINTEXT || effective == SecurityProtocol.SSL) {
                problems += "$saslBlock has no effect with securityProtocol $effective; use SASL_SSL or SASL_PLAINTEXT"
            }
            saslProperties(sasl, problems).forEach { (k, v) -> set(properties, explicit, problems, k, v, saslBlock) }
        } else if (effective == SecurityProtocol.SASL_SSL || effective == SecurityProtocol.SASL_PLAINTEXT) {
            if ("sasl.jaas.config" !in properties) {
                problems += "securityProtocol $effective needs credentials: add " +
                    if (wording == Wording.KOTLIN) {
                        "sasl { mechanism = ...; username = ...; password = ... }"
                    } else {
                        ".sasl(sasl -> { sasl.mechanism(...); sasl.username(...); sasl.password(...); })"
                    }
            }
        }
    }

    private fun set(
        properties: MutableMap<String, Any>,
        explicit: MutableSet<String>,
        problems: MutableList<String>,
        key: String,
        value: Any,
        source: String,
    ) {
        if (key in explicit && properties[key] != value) {
            problems += "'$key' is set twice: by $source and by ${wording.call("property", "\"$key\", ...")}; keep one"
            return
        }
        properties[key] = value
        explicit += key
    }

    private fun sslProperties(
        ssl: SslConfig,
        problems: MutableList<String>,
    ): Map<String, Any> =
        buildMap {
            ssl.truststoreLocation?.let { put("ssl.truststore.location", it) }
            ssl.truststorePassword?.let { put("ssl.truststore.password", Password(it)) }
            ssl.truststoreType?.let { put("ssl.truststore.type", it) }
            ssl.keystoreLocation?.let { put("ssl.keystore.location", it) }
            ssl.keystorePassword?.let { put("ssl.keystore.password", Password(it)) }
            ssl.keyPassword?.let { put("ssl.key.password", Password(it)) }
            ssl.keystoreType?.let { put("ssl.keystore.type", it) }
            ssl.verifyHostname?.let { put("ssl.endpoint.identification.algorithm", if (it) "https" else "") }
            if (ssl.keystoreLocation != null && ssl.keystorePassword == null) {
                problems +=
                    if (wording == Wording.KOTLIN) {
                        "ssl { keystoreLocation } needs keystorePassword"
                    } else {
                        "ssl.keystoreLocation(...) needs ssl.keystorePassword(...)"
                    }
            }
        }

    private fun saslProperties(
        sasl: SaslConfig,
        problems: MutableList<String>,
    ): Map<String, Any> {
        val mechanism = sasl.mechanism
        val username = sasl.username
        val password = sasl.password
        if (mechanism == null) {
            problems += "$saslBlock needs mechanism: ${wording.field("sasl", "mechanism", "SaslMechanism.SCRAM_SHA_512")} (or SCRAM_SHA_256, PLAIN)"
        }
        if (username.isNullOrEmpty()) problems += "$saslBlock needs username: ${wording.field("sasl", "username", "\"...\"")}"
        if (password.isNullOrEmpty()) problems += "$saslBlock needs password: ${wording.field("sasl", "password", "\"...\"")}"
        if (mechanism == null || username.isNullOrEmpty() || password.isNullOrEmpty()) return emptyMap()
        val jaas = "${mechanism.loginModule} required username=\"${escape(username)}\" password=\"${escape(password)}\";"
        return mapOf("sasl.mechanism" to mechanism.kafkaValue, "sasl.jaas.config" to Password(jaas))
    }

    private fun escape(value: String): String = value.replace("\\", "\\\\").replace("\"", "\\\"")
}
