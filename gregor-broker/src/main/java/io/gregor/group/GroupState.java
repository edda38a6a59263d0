package io.gregor.group;

import java.util.Locale;

/** Kafka's classic group states; {@link #toString()} is the name Kafka puts on the wire. */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String wireName;

    GroupState(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }

    public String lowerCaseName() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
