package dev.taskhub.query;

import dev.taskhub.history.HistoryEvent;

import java.time.Instant;
import java.util.Objects;

/**
 * One message kept in a {@link QuarantineRecord}, as it was when it was quarantined. For an orchestration record it is
 * a message to the instance (the event it carried); for an activity record it is the activity invocation, as a
 * {@link HistoryEvent.TaskScheduled} whose {@code eventId} is the task id and whose name and input are the activity's.
 *
 * @param messageId   the message's id (replay sends it again under this id, so a repeat is dropped)
 * @param executionId the execution it addressed, or null for whichever is current
 * @param event       the event it carried
 * @param visibleAt   its not-before time, or null
 */
public record QuarantinedMessage(String messageId, String executionId, HistoryEvent event, Instant visibleAt) {
    public QuarantinedMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(event, "event");
    }
}
