package dev.taskhub.observe;

import java.time.Duration;
import java.time.Instant;

/**
 * One run of an activity on a worker.
 *
 * @param taskHubName   the task hub
 * @param instanceId    the orchestration instance that called it
 * @param executionId   its execution
 * @param taskId        the sequence number of the call
 * @param name          the activity name
 * @param deliveryCount which delivery of the call this was (1 for the first)
 * @param startedAt     when it began to run (the worker's clock)
 * @param duration      how long it ran
 * @param failureType   null when it succeeded; else the error type (an exception class name, {@code ActivityNotFound}
 *                      or {@code PoisonMessage})
 */
public record ActivityReport(String taskHubName, String instanceId, String executionId, int taskId, String name,
                             int deliveryCount, Instant startedAt, Duration duration, String failureType) {
    /** Whether the activity returned a result. */
    public boolean succeeded() {
        return failureType == null;
    }
}
