package dev.taskhub.spi;

import dev.taskhub.history.HistoryEvent;

import java.time.Instant;
import java.util.Objects;

/**
 * A message on the orchestration queue: a history event addressed to an instance.
 *
 * @param messageId   unique id; a provider that may deliver a message twice delivers it with the same id
 * @param instanceId  target instance
 * @param executionId target execution, or null for whichever execution is current
 * @param event       the event to apply (ExecutionStarted, TaskCompleted, TimerFired, EventRaised, …)
 * @param visibleAt   not delivered before this time (timers, scheduled starts); null means at once
 */
public record TaskMessage(String messageId, String instanceId, String executionId, HistoryEvent event, Instant visibleAt) {
    public TaskMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(event, "event");
    }

    /** The message that fires the timer {@code created} records, visible at its fire time (never earlier). */
    public static TaskMessage timerFired(String messageId, String instanceId, String executionId, HistoryEvent.TimerCreated created) {
        return new TaskMessage(messageId, instanceId, executionId,
                new HistoryEvent.TimerFired(-1, created.fireAt(), created.eventId(), created.fireAt()), created.fireAt());
    }
}
