package dev.taskhub.spi;

import dev.taskhub.history.HistoryEvent;

import java.util.Objects;

/**
 * A message on the activity queue: run activity {@code name} for task {@code taskId} of an orchestration execution.
 *
 * @param messageId   unique id
 * @param instanceId  the orchestration instance that scheduled it
 * @param executionId the execution that scheduled it
 * @param taskId      the sequence number of the call; the result refers to it
 * @param name        activity name
 * @param input       JSON input, may be null
 */
public record ActivityRequest(String messageId, String instanceId, String executionId, int taskId, String name, String input) {
    public ActivityRequest {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(name, "name");
    }

    /** The request that runs the activity call {@code scheduled} records (same task id, name and input). */
    public static ActivityRequest of(String messageId, String instanceId, String executionId, HistoryEvent.TaskScheduled scheduled) {
        return new ActivityRequest(messageId, instanceId, executionId, scheduled.eventId(), scheduled.name(), scheduled.input());
    }
}
