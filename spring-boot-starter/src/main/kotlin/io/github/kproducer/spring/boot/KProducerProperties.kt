package io.github.kproducer.spring.boot

import org.springframework.boot.context.properties.ConfigurationProperties
import java.time.Duration

/**
 * The `kproducer.*` settings of the Spring Boot starter, on top of Boot's own `spring.kafka.*`
 * (which the starter reads for the connection, security and producer settings): a preset, the close
 * timeout, the in-flight bound, Kafka properties only kproducer's producers get, and named producers.
 *
 * Bound by Spring at start-up; not meant to be changed afterwards.
 */
@ConfigurationProperties("kproducer")
public class KProducerProperties {
    /** Whether the starter creates producers at all (`kproducer.enabled`); default true. */
    public var isEnabled: Boolean = true

    /** A preset applied before every other setting: its values are starting points the others override. None by default. */
    public var preset: KProducerPreset? = null

    /**
     * How long closing a producer at shutdown waits for the records in flight; default 10 seconds. It never
     * waits longer than Boot's shutdown phase (`spring.lifecycle.timeout-per-shutdown-phase`, default 30 s).
     */
    public var closeTimeout: Duration = Duration.ofSeconds(10)

    /** How many records one batch send keeps in flight (`maxInFlightRecords`); the DSL's default when unset. */
    public var maxInFlightRecords: Int? = null

    /** Kafka producer properties for kproducer's producers only, applied after `spring.kafka.*`. */
    public var properties: MutableMap<String, String> = LinkedHashMap()

    /**
     * Further producers, each a bean named by its key (`kproducer.producers.audit.client-id=audit` makes a
     * bean `audit`), each with the settings above plus its own; see [NamedProducer].
     */
    public var producers: MutableMap<String, NamedProducer> = LinkedHashMap()

    /** A producer of its own under `kproducer.producers.<name>.*`: unset values come from `kproducer.*` and `spring.kafka.*`. */
    public class NamedProducer {
        /** Its bootstrap servers, when not those of `spring.kafka`. */
        public var bootstrapServers: MutableList<String>? = null

        /** Its `client.id`; the bean name when unset. */
        public var clientId: String? = null

        /** Its `transactional.id`, making it a transactional producer. */
        public var transactionalId: String? = null

        /** Its preset, instead of `kproducer.preset`. */
        public var preset: KProducerPreset? = null

        /** Its close timeout, instead of `kproducer.close-timeout`. */
        public var closeTimeout: Duration? = null

        /** Kafka producer properties of this producer only, applied last. */
        public var properties: MutableMap<String, String> = LinkedHashMap()
    }
}
