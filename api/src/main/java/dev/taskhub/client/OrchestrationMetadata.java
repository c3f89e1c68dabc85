package dev.taskhub.client;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status of an orchestration instance, as Durable Functions reports it. Payloads are kept as their stored text
 * (JSON with the default converter); read them as Java values with {@link #readInputAs}, {@link #readOutputAs} and
 * {@link #readCustomStatusAs}, which use the {@link DataConverter} of the client that built it
 * ({@link JsonDataConverter#DEFAULT} unless {@link Builder#dataConverter} says otherwise; the converter is not part of
 * {@link #equals}). Immutable; the client builds it, and {@link #builder()} is there for tests and for code that
 * reads the status from elsewhere.
 */
public final class OrchestrationMetadata {
    private final String instanceId;
    private final String name;
    private final String version;
    private final String executionId;
    private final RuntimeStatus runtimeStatus;
    private final String serializedInput;
    private final String serializedOutput;
    private final String serializedCustomStatus;
    private final FailureDetails failureDetails;
    private final Instant createdAt;
    private final Instant lastUpdatedAt;
    private final Instant scheduledStartAt;
    private final String parentInstanceId;
    private final List<HistoryEvent> history;
    private final DataConverter converter;

    private OrchestrationMetadata(Builder b) {
        this.converter = b.converter == null ? JsonDataConverter.DEFAULT : b.converter;
        this.instanceId = Objects.requireNonNull(b.instanceId, "instanceId");
        this.name = Objects.requireNonNull(b.name, "name");
        this.version = b.version;
        this.executionId = b.executionId;
        this.runtimeStatus = Objects.requireNonNull(b.runtimeStatus, "runtimeStatus");
        this.serializedInput = b.serializedInput;
        this.serializedOutput = b.serializedOutput;
        this.serializedCustomStatus = b.serializedCustomStatus;
        this.failureDetails = b.failureDetails;
        this.createdAt = Objects.requireNonNull(b.createdAt, "createdAt");
        this.lastUpdatedAt = Objects.requireNonNull(b.lastUpdatedAt, "lastUpdatedAt");
        this.scheduledStartAt = b.scheduledStartAt;
        this.parentInstanceId = b.parentInstanceId;
        this.history = b.history == null ? null : List.copyOf(b.history);
    }

    /** A builder; instance id, name, runtime status, created and last-updated times are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this metadata's values. */
    public Builder toBuilder() {
        return new Builder().instanceId(instanceId).name(name).version(version).executionId(executionId)
                .runtimeStatus(runtimeStatus).serializedInput(serializedInput).serializedOutput(serializedOutput)
                .serializedCustomStatus(serializedCustomStatus).failureDetails(failureDetails).createdAt(createdAt)
                .lastUpdatedAt(lastUpdatedAt).scheduledStartAt(scheduledStartAt).parentInstanceId(parentInstanceId)
                .historyEvents(history).dataConverter(converter);
    }

    public String instanceId() { return instanceId; }

    public String name() { return name; }

    /** The orchestrator version, or null. */
    public String version() { return version; }

    /** The id of the current execution (new on continue-as-new and restart); null when read over HTTP. */
    public String executionId() { return executionId; }

    public RuntimeStatus runtimeStatus() { return runtimeStatus; }

    public Instant createdAt() { return createdAt; }

    public Instant lastUpdatedAt() { return lastUpdatedAt; }

    /** The scheduled start time of an instance that has not started yet, or null. */
    public Instant scheduledStartAt() { return scheduledStartAt; }

    /** The parent orchestration of a sub-orchestration, or null. */
    public String parentInstanceId() { return parentInstanceId; }

    public String serializedInput() { return serializedInput; }

    public String serializedOutput() { return serializedOutput; }

    public String serializedCustomStatus() { return serializedCustomStatus; }

    public Optional<FailureDetails> failureDetails() { return Optional.ofNullable(failureDetails); }

    public Optional<List<HistoryEvent>> historyEvents() { return Optional.ofNullable(history); }

    public boolean isCompleted() { return runtimeStatus.isTerminal(); }

    public boolean isRunning() { return runtimeStatus == RuntimeStatus.RUNNING; }

    /** The converter {@link #readInputAs} and its siblings use. */
    public DataConverter dataConverter() { return converter; }

    public <T> T readInputAs(Class<T> type) { return converter.deserialize(serializedInput, type); }

    public <T> T readOutputAs(Class<T> type) { return converter.deserialize(serializedOutput, type); }

    public <T> T readCustomStatusAs(Class<T> type) { return converter.deserialize(serializedCustomStatus, type); }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrchestrationMetadata m && instanceId.equals(m.instanceId) && name.equals(m.name)
                && Objects.equals(version, m.version) && Objects.equals(executionId, m.executionId)
                && runtimeStatus == m.runtimeStatus && Objects.equals(serializedInput, m.serializedInput)
                && Objects.equals(serializedOutput, m.serializedOutput)
                && Objects.equals(serializedCustomStatus, m.serializedCustomStatus)
                && Objects.equals(failureDetails, m.failureDetails) && createdAt.equals(m.createdAt)
                && lastUpdatedAt.equals(m.lastUpdatedAt) && Objects.equals(scheduledStartAt, m.scheduledStartAt)
                && Objects.equals(parentInstanceId, m.parentInstanceId) && Objects.equals(history, m.history);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instanceId, name, version, executionId, runtimeStatus, serializedInput, serializedOutput,
                serializedCustomStatus, failureDetails, createdAt, lastUpdatedAt, scheduledStartAt, parentInstanceId, history);
    }

    @Override
    public String toString() {
        return "OrchestrationMetadata[instanceId=" + instanceId + ", name=" + name + ", version=" + version
                + ", executionId=" + executionId + ", runtimeStatus=" + runtimeStatus + ", serializedInput=" + serializedInput
                + ", serializedOutput=" + serializedOutput + ", serializedCustomStatus=" + serializedCustomStatus
                + ", failureDetails=" + failureDetails + ", createdAt=" + createdAt + ", lastUpdatedAt=" + lastUpdatedAt
                + ", scheduledStartAt=" + scheduledStartAt + ", parentInstanceId=" + parentInstanceId
                + ", historyEvents=" + history + "]";
    }

    /** Builder for {@link OrchestrationMetadata}; {@link #build()} checks the required values. */
    public static final class Builder {
        private String instanceId;
        private String name;
        private String version;
        private String executionId;
        private RuntimeStatus runtimeStatus;
        private String serializedInput;
        private String serializedOutput;
        private String serializedCustomStatus;
        private FailureDetails failureDetails;
        private Instant createdAt;
        private Instant lastUpdatedAt;
        private Instant scheduledStartAt;
        private String parentInstanceId;
        private List<HistoryEvent> history;
        private DataConverter converter;

        private Builder() {}

        public Builder instanceId(String value) { this.instanceId = value; return this; }

        public Builder name(String value) { this.name = value; return this; }

        public Builder version(String value) { this.version = value; return this; }

        public Builder executionId(String value) { this.executionId = value; return this; }

        public Builder runtimeStatus(RuntimeStatus value) { this.runtimeStatus = value; return this; }

        public Builder serializedInput(String value) { this.serializedInput = value; return this; }

        public Builder serializedOutput(String value) { this.serializedOutput = value; return this; }

        public Builder serializedCustomStatus(String value) { this.serializedCustomStatus = value; return this; }

        public Builder failureDetails(FailureDetails value) { this.failureDetails = value; return this; }

        public Builder createdAt(Instant value) { this.createdAt = value; return this; }

        public Builder lastUpdatedAt(Instant value) { this.lastUpdatedAt = value; return this; }

        public Builder scheduledStartAt(Instant value) { this.scheduledStartAt = value; return this; }

        public Builder parentInstanceId(String value) { this.parentInstanceId = value; return this; }

        /** The history, or null when it was not requested. */
        public Builder historyEvents(List<HistoryEvent> value) { this.history = value; return this; }

        /** The converter the {@code read...As} methods use; null (the default) means {@link JsonDataConverter#DEFAULT}. */
        public Builder dataConverter(DataConverter value) { this.converter = value; return this; }

        public OrchestrationMetadata build() {
            return new OrchestrationMetadata(this);
        }
    }
}
