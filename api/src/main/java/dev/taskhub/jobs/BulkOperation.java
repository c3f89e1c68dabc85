package dev.taskhub.jobs;

import dev.taskhub.InvalidRequestException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a bulk job does to each matching instance; the same operation as the client's method of that name. */
public enum BulkOperation {
    /** Terminate unfinished instances (finished ones are skipped). */
    TERMINATE("terminate"),
    /** Suspend unfinished instances. */
    SUSPEND("suspend"),
    /** Resume suspended instances (others are skipped). */
    RESUME("resume"),
    /** Rewind failed instances (others are skipped). */
    REWIND("rewind"),
    /** Restart finished instances under their own id (unfinished ones are skipped). */
    RESTART("restart"),
    /** Raise an event on unfinished instances. */
    RAISE_EVENT("raise-event"),
    /** Purge finished instances with their history (unfinished ones are skipped). */
    PURGE("purge");

    private final String wireName;

    BulkOperation(String wireName) {
        this.wireName = wireName;
    }

    /** The name used by the command line and the HTTP API, e.g. {@code raise-event}. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name or enum name, case-insensitively ({@code raise-event}, {@code RAISE_EVENT}, {@code raiseEvent}). */
    public static BulkOperation parse(String text) {
        String normalized = text == null ? "" : text.trim().replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        for (BulkOperation operation : values()) {
            if (operation.wireName.replace("-", "").equals(normalized)) {
                return operation;
            }
        }
        throw new InvalidRequestException("Unknown bulk operation '" + text + "'. Use one of: "
                + Arrays.stream(values()).map(BulkOperation::wireName).collect(Collectors.joining(", ")) + ".");
    }
}
