package dev.taskhub.spi;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.Objects;

/**
 * The stored state of one orchestration instance (one row of the instance store). Payloads are JSON text. Build
 * with {@link #builder()}, or derive one from another with {@link #toBuilder()}.
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

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this state, to change some of it. */
    public Builder toBuilder() {
        return new Builder().instanceId(instanceId).name(name).version(version).executionId(executionId).status(status)
                .input(input).output(output).customStatus(customStatus).failureDetails(failureDetails)
                .createdAt(createdAt).lastUpdatedAt(lastUpdatedAt).scheduledStartAt(scheduledStartAt)
                .parentInstanceId(parentInstanceId);
    }

    public InstanceState withStatus(RuntimeStatus newStatus, Instant now) {
        return toBuilder().status(newStatus).lastUpdatedAt(now).build();
    }

    /** The same state without input and output, as returned by queries that did not ask for them. */
    public InstanceState withoutPayloads() {
        return toBuilder().input(null).output(null).build();
    }

    /**
     * Builder for {@link InstanceState}; {@link #build()} requires instanceId, name, status, createdAt and
     * lastUpdatedAt, every other component may stay null.
     */
    public static final class Builder {
        private String instanceId;
        private String name;
        private String version;
        private String executionId;
        private RuntimeStatus status;
        private String input;
        private String output;
        private String customStatus;
        private FailureDetails failureDetails;
        private Instant createdAt;
        private Instant lastUpdatedAt;
        private Instant scheduledStartAt;
        private String parentInstanceId;

        private Builder() {
        }

        public Builder instanceId(String value) { this.instanceId = value; return this; }

        public Builder name(String value) { this.name = value; return this; }

        public Builder version(String value) { this.version = value; return this; }

        public Builder executionId(String value) { this.executionId = value; return this; }

        public Builder status(RuntimeStatus value) { this.status = value; return this; }

        public Builder input(String value) { this.input = value; return this; }

        public Builder output(String value) { this.output = value; return this; }

        public Builder customStatus(String value) { this.customStatus = value; return this; }

        public Builder failureDetails(FailureDetails value) { this.failureDetails = value; return this; }

        public Builder createdAt(Instant value) { this.createdAt = value; return this; }

        public Builder lastUpdatedAt(Instant value) { this.lastUpdatedAt = value; return this; }

        public Builder scheduledStartAt(Instant value) { this.scheduledStartAt = value; return this; }

        public Builder parentInstanceId(String value) { this.parentInstanceId = value; return this; }

        /** The state; throws {@link NullPointerException} naming a missing required component. */
        public InstanceState build() {
            return new InstanceState(instanceId, name, version, executionId, status, input, output, customStatus,
                    failureDetails, createdAt, lastUpdatedAt, scheduledStartAt, parentInstanceId);
        }
    }
}
