package io.github.kproducer.dsl

import org.apache.kafka.common.config.ConfigException

/**
 * Thrown by [KProducerConfig.build] (and so by [kafkaProducer]) when the configuration is invalid;
 * the message lists every problem at once, each with its fix.
 *
 * It is a Kafka [ConfigException], so code that handles Kafka's configuration errors handles it too.
 */
public class KProducerConfigException internal constructor(
    /** Each problem, as one sentence that names the setting and the fix. */
    public val problems: List<String>,
) : ConfigException(
        "Invalid Kafka producer configuration (${problems.size} problem${if (problems.size == 1) "" else "s"}):\n" +
            problems.joinToString("\n") { "  - $it" },
    )
