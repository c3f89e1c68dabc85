package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;

import java.util.Arrays;

/**
 * Why an instance counts as stuck (see {@link StuckInstance}). Wire names: {@code Pending}, {@code OverdueTimer},
 * {@code LockedPastLease}, {@code RepeatedFailures}.
 */
public enum StuckReason {
    /** Pending longer than the threshold although its start is due: no worker picks it up. */
    PENDING("Pending"),
    /** Running, with a timer message due longer than the threshold ago that no episode has applied yet. */
    OVERDUE_TIMER("OverdueTimer"),
    /** Its work item's lock lease expired longer than the threshold ago and no worker has taken it again. */
    LOCKED_PAST_LEASE("LockedPastLease"),
    /** Its orchestration messages were delivered at least the given number of times without a successful checkpoint. */
    REPEATED_FAILURES("RepeatedFailures");

    private final String wireName;

    StuckReason(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire and in the command line's output, e.g. {@code OverdueTimer}. */
    public String wireName() {
        return wireName;
    }

    /** The reason of a wire name or constant name, ignoring case; an {@link InvalidRequestException} listing them otherwise. */
    public static StuckReason parse(String text) {
        for (StuckReason r : values()) {
            if (r.wireName.equalsIgnoreCase(text.trim()) || r.name().equalsIgnoreCase(text.trim())) {
                return r;
            }
        }
        throw new InvalidRequestException("Unknown stuck reason '" + text + "'. Use one of: "
                + String.join(", ", Arrays.stream(values()).map(StuckReason::wireName).toList()) + ".");
    }
}
