package dev.taskhub.jobs;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.RawJson;
import dev.taskhub.query.InstanceQuery;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * A bulk job to start: which instances (the same filters as a query, plus an orchestration name), what to do to each,
 * and how fast. Immutable; build with {@link #builder(BulkOperation)}.
 *
 * @param jobId            the job's id; null for a random one. Starting a job under an id that exists returns that job
 *                         and starts nothing (so a retried start is harmless)
 * @param operation        what to do to each matching instance
 * @param createdFrom      only instances created at or after this time
 * @param createdTo        only instances created at or before this time
 * @param statuses         only instances in one of these statuses; empty means any
 * @param instanceIdPrefix only instances whose id starts with this prefix
 * @param name             only instances of this orchestration; null means any
 * @param reason           the reason recorded by terminate, suspend, resume and rewind
 * @param eventName        the event to raise ({@link BulkOperation#RAISE_EVENT} only)
 * @param eventData        the event's data as JSON, or null
 * @param pageSize         instances read and handled per step of the job (1..1000, default 500); the job records its
 *                         progress after each step
 * @param maxPerSecond     at most this many instances per second; 0 means no limit
 */
public record BulkJobRequest(String jobId, BulkOperation operation, Instant createdFrom, Instant createdTo,
                             Set<RuntimeStatus> statuses, String instanceIdPrefix, String name, String reason,
                             String eventName, String eventData, int pageSize, double maxPerSecond) {
    public static final int DEFAULT_PAGE_SIZE = 500;
    /** The longest job id: the instance id of the job ({@link BulkJobs#INSTANCE_ID_PREFIX} + id) must fit. */
    public static final int MAX_JOB_ID_LENGTH = NewOrchestrationOptions.MAX_INSTANCE_ID_LENGTH - BulkJobs.INSTANCE_ID_PREFIX.length();

    public BulkJobRequest {
        if (operation == null) {
            throw new InvalidRequestException("A bulk job needs an operation: terminate, suspend, resume, rewind, restart, raise-event or purge.");
        }
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (jobId != null && (jobId.isBlank() || jobId.length() > MAX_JOB_ID_LENGTH)) {
            throw new InvalidRequestException("A job id must be 1 to " + MAX_JOB_ID_LENGTH + " characters; leave it out for a random one.");
        }
        if (jobId != null) {
            NewOrchestrationOptions.validateInstanceId(BulkJobs.INSTANCE_ID_PREFIX + jobId);
        }
        if (createdFrom != null && createdTo != null && createdFrom.isAfter(createdTo)) {
            throw new InvalidRequestException("createdFrom (" + createdFrom + ") is after createdTo (" + createdTo + "). Swap them or widen the range.");
        }
        if (pageSize == 0) {
            pageSize = DEFAULT_PAGE_SIZE;
        }
        if (pageSize < 1 || pageSize > InstanceQuery.MAX_PAGE_SIZE) {
            throw new InvalidRequestException("The page size of a bulk job must be 1 to " + InstanceQuery.MAX_PAGE_SIZE + ", got " + pageSize + ".");
        }
        if (!(maxPerSecond >= 0) || Double.isInfinite(maxPerSecond)) {
            throw new InvalidRequestException("maxPerSecond must be 0 (no limit) or a positive number, got " + maxPerSecond + ".");
        }
        if (operation == BulkOperation.RAISE_EVENT && (eventName == null || eventName.isBlank())) {
            throw new InvalidRequestException("A raise-event job needs the event's name.");
        }
        if (eventData != null) {
            new RawJson(eventData); // refuses text that is not JSON, saying so
            if (eventData.length() > TaskHubClient.MAX_PAYLOAD_CHARS) {
                throw new InvalidRequestException("The event data is " + eventData.length() + " characters, over the limit of "
                        + TaskHubClient.MAX_PAYLOAD_CHARS + ". Pass a reference to data stored elsewhere.");
            }
        }
        if (operation != BulkOperation.RAISE_EVENT && (eventName != null || eventData != null)) {
            throw new InvalidRequestException("An event name or data only goes with a raise-event job, not with " + operation.wireName() + ".");
        }
        if (instanceIdPrefix != null && instanceIdPrefix.isEmpty()) {
            instanceIdPrefix = null;
        }
        if (name != null && name.isBlank()) {
            name = null;
        }
    }

    /** The query that pages through the candidates (the name is checked per instance). */
    public InstanceQuery query() {
        return InstanceQuery.builder().createdFrom(createdFrom).createdTo(createdTo).statuses(statuses)
                .instanceIdPrefix(instanceIdPrefix).pageSize(pageSize).build();
    }

    /** This request under another job id. */
    public BulkJobRequest withJobId(String value) {
        return new BulkJobRequest(value, operation, createdFrom, createdTo, statuses, instanceIdPrefix, name, reason, eventName,
                eventData, pageSize, maxPerSecond);
    }

    public static Builder builder(BulkOperation operation) {
        return new Builder(operation);
    }

    /** Builder for {@link BulkJobRequest}; {@link #build()} validates. */
    public static final class Builder {
        private final BulkOperation operation;
        private String jobId;
        private Instant createdFrom;
        private Instant createdTo;
        private Set<RuntimeStatus> statuses = Set.of();
        private String instanceIdPrefix;
        private String name;
        private String reason;
        private String eventName;
        private String eventData;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private double maxPerSecond;

        private Builder(BulkOperation operation) {
            this.operation = operation;
        }

        public Builder jobId(String value) { this.jobId = value; return this; }

        public Builder createdFrom(Instant value) { this.createdFrom = value; return this; }

        public Builder createdTo(Instant value) { this.createdTo = value; return this; }

        public Builder statuses(Set<RuntimeStatus> value) { this.statuses = value; return this; }

        public Builder statuses(RuntimeStatus... value) { this.statuses = value.length == 0 ? Set.of() : EnumSet.of(value[0], value); return this; }

        public Builder instanceIdPrefix(String value) { this.instanceIdPrefix = value; return this; }

        /** Only instances of this orchestration. */
        public Builder name(String value) { this.name = value; return this; }

        public Builder reason(String value) { this.reason = value; return this; }

        /** The event to raise and its data as JSON (raise-event jobs). */
        public Builder event(String name, String dataJson) { this.eventName = name; this.eventData = dataJson; return this; }

        public Builder pageSize(int value) { this.pageSize = value; return this; }

        public Builder maxPerSecond(double value) { this.maxPerSecond = value; return this; }

        public BulkJobRequest build() {
            return new BulkJobRequest(jobId, operation, createdFrom, createdTo, statuses, instanceIdPrefix, name, reason,
                    eventName, eventData, pageSize, maxPerSecond);
        }
    }
}
