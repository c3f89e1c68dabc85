package dev.taskhub.spi;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.Objects;

/**
 * The stored state of one orchestration instance (one row of the instance store). Payloads are JSON text.
 *
 * @param instanceId       the instance id
 * @param name             orchestrator name
 * @param version          orchestrator version, may be null
 * @param executionId      id of the current execution; a new one on continue-as-new and on restart
 * @param status           runtime status
 * @param input            JSON input, may be null
 * @param output           JSON output (for TERMINATED the reason as a JSON string), may be null
 * @param customStatus     JSON custom status, may be null
 * @param failureDetails   why it failed, when FAILED
 * @param createdAt        when the instance was created
 * @param lastUpdatedAt    when the state last changed
 * @param scheduledStartAt a start time in the future, may be null
 * @param parentInstanceId the parent orchestration for sub-orchestrations, may be null
 */
public record InstanceState(String instanceId, String name, String version, String executionId, RuntimeStatus status,
                            String input, String output, String customStatus, FailureDetails failureDetails,
                            Instant createdAt, Instant lastUpdatedAt, Instant scheduledStartAt, String parentInstanceId) {
    public InstanceState {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastUpdatedAt, "lastUpdatedAt");
    }

    public InstanceState withStatus(RuntimeStatus newStatus, Instant now) {
        return new InstanceState(instanceId, name, version, executionId, newStatus, input, output, customStatus,
                failureDetails, createdAt, now, scheduledStartAt, parentInstanceId);
    }

    /** The same state without input and output, as returned by queries that did not ask for them. */
    public InstanceState withoutPayloads() {
        return new InstanceState(instanceId, name, version, executionId, status, null, null, customStatus,
                failureDetails, createdAt, lastUpdatedAt, scheduledStartAt, parentInstanceId);
    }
}
