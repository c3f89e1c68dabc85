package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Messages a worker took out of circulation because they were delivered more than {@code maxDeliveryCount} times (poison
 * messages), kept in the task hub with the reason so that they can be listed, replayed or discarded (see
 * docs/operations.md, "Poison messages"). Immutable.
 *
 * @param id            the record's id, derived from the instance and the first message's id, so that writing it
 *                      again (after a crash before the messages were consumed) replaces it instead of adding another
 * @param instanceId    the instance the messages belong to
 * @param executionId   the execution they addressed (or scheduled, for an activity), or null when unknown
 * @param kind          orchestration messages or an activity invocation
 * @param messages      the messages, in delivery order (one for an activity record)
 * @param deliveryCount how many times they were delivered
 * @param reason        what happened, with the last error where the worker knew it
 * @param quarantinedAt when the record was written
 */
public record QuarantineRecord(String id, String instanceId, String executionId, Kind kind, List<QuarantinedMessage> messages,
                               int deliveryCount, String reason, Instant quarantinedAt) {
    public QuarantineRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(quarantinedAt, "quarantinedAt");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("A quarantine record holds at least one message.");
        }
    }

    /** What a record holds; wire names {@code Orchestration} and {@code Activity}. */
    public enum Kind {
        /** Messages to an orchestration instance (its work item); the instance failed with {@code PoisonMessage}. */
        ORCHESTRATION("Orchestration"),
        /** An activity invocation; the activity's task failed with {@code PoisonMessage}. */
        ACTIVITY("Activity");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The kind of a wire or constant name, ignoring case; an {@link InvalidRequestException} listing them otherwise. */
        public static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.wireName.equalsIgnoreCase(text.trim()) || k.name().equalsIgnoreCase(text.trim())) {
                    return k;
                }
            }
            throw new InvalidRequestException("Unknown quarantine kind '" + text + "'. Use one of: "
                    + String.join(", ", Arrays.stream(values()).map(Kind::wireName).toList()) + ".");
        }
    }
}
