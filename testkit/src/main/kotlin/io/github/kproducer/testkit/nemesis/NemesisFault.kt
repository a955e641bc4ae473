package io.github.kproducer.testkit.nemesis

/** The kinds of fault a [Nemesis] draws its steps from. */
public enum class NemesisFault {
    /** `Produce` requests to one broker answered at once with a retriable error (the records are not written). */
    PRODUCE_ERRORS,

    /** `Produce` requests to one broker written, but their answers dropped: the client times the request out and retries. */
    DROPPED_ANSWERS,

    /** `Produce` answers of one broker held back, then delivered. */
    DELAYED_ANSWERS,

    /** Latency on every connection to one broker, both ways. */
    LATENCY,

    /** Every client connection to one broker cut at the step's start, and new ones refused until its end. */
    CUT_CONNECTIONS,

    /** One broker stopped (a controlled shutdown: its leaderships move) and started again at the step's end; needs 3 brokers or more. */
    BROKER_RESTART,

    /**
     * The leadership of one partition of the nemesis' topics ([NemesisConfig.topics]) moved to one broker
     * through the controller (a reassignment and an election); it stays there. Needs 2 brokers or more.
     */
    LEADER_MOVE,

    /** `Produce` requests for one partition of the nemesis' topics answered with a retriable error, while the request's other partitions are written. */
    PARTITION_ERRORS,

    /** `Produce` answers of one broker carry a throttle time: the client mutes that connection for it (KIP-219). */
    THROTTLED_ANSWERS,

    /** Replication to one broker (the follower) from another it fetches from, slowed by latency on its fetches; needs 2 brokers or more. */
    SLOW_REPLICATION,
}
