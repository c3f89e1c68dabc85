package dev.taskhub;

import java.util.Locale;

/** The runtime status of an orchestration instance. {@link #COMPLETED}, {@link #FAILED} and {@link #TERMINATED} are terminal. */
public enum RuntimeStatus {
    PENDING("Pending"),
    RUNNING("Running"),
    COMPLETED("Completed"),
    CONTINUED_AS_NEW("ContinuedAsNew"),
    FAILED("Failed"),
    TERMINATED("Terminated"),
    SUSPENDED("Suspended");

    private final String wireName;

    RuntimeStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The name Durable Functions uses on the wire, e.g. {@code ContinuedAsNew}. */
    public String wireName() {
        return wireName;
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == TERMINATED;
    }

    /** Parses either the wire name ({@code Running}) or the enum name ({@code RUNNING}, {@code continued_as_new}), case-insensitively. */
    public static RuntimeStatus parse(String text) {
        String normalized = text.trim().replace("_", "").toLowerCase(Locale.ROOT);
        for (RuntimeStatus status : values()) {
            if (status.wireName.toLowerCase(Locale.ROOT).equals(normalized)) {
                return status;
            }
        }
        throw new InvalidRequestException("Unknown runtime status '" + text + "'. Use one of: Pending, Running, Completed, "
                + "ContinuedAsNew, Failed, Terminated, Suspended.");
    }
}
