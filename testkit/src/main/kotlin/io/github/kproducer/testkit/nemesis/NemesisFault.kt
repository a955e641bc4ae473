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
}
