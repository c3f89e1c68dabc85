package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Filters and paging for {@link dev.taskhub.client.TaskHubClient#queryInstances}. Build with {@link #builder()}; every filter is optional.
 *
 * @param createdFrom            only instances created at or after this time
 * @param createdTo              only instances created at or before this time
 * @param statuses               only instances in one of these statuses; empty means any
 * @param instanceIdPrefix       only instances whose id starts with this prefix
 * @param pageSize               maximum instances per page (1..1000, default 100)
 * @param continuationToken      the token of the previous page, or null for the first page
 * @param fetchInputsAndOutputs  whether input and output are returned
 */
public record InstanceQuery(Instant createdFrom, Instant createdTo, Set<RuntimeStatus> statuses, String instanceIdPrefix,
                            int pageSize, String continuationToken, boolean fetchInputsAndOutputs) {
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;

    public InstanceQuery {
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (pageSize <= 0) {
            throw new InvalidRequestException("Page size must be at least 1, got " + pageSize + ".");
        }
        if (pageSize > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("Page size must be at most " + MAX_PAGE_SIZE + ", got " + pageSize + ".");
        }
        if (createdFrom != null && createdTo != null && createdFrom.isAfter(createdTo)) {
            throw new InvalidRequestException("createdFrom (" + createdFrom + ") is after createdTo (" + createdTo
                    + "). Swap them or widen the range.");
        }
        if (continuationToken != null && continuationToken.isBlank()) {
            continuationToken = null;
        }
        if (instanceIdPrefix != null && instanceIdPrefix.isEmpty()) {
            instanceIdPrefix = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this query, to change some of it. */
    public Builder toBuilder() {
        return new Builder().createdFrom(createdFrom).createdTo(createdTo).statuses(statuses).instanceIdPrefix(instanceIdPrefix)
                .pageSize(pageSize).continuationToken(continuationToken).fetchInputsAndOutputs(fetchInputsAndOutputs);
    }

    /** The same query positioned at the given page. */
    public InstanceQuery withContinuationToken(String token) {
        return toBuilder().continuationToken(token).build();
    }

    /** Whether an instance with these attributes matches the filters (not the page position). */
    public boolean matches(String instanceId, RuntimeStatus status, Instant createdAt) {
        return (createdFrom == null || !createdAt.isBefore(createdFrom))
                && (createdTo == null || !createdAt.isAfter(createdTo))
                && (statuses.isEmpty() || statuses.contains(status))
                && (instanceIdPrefix == null || instanceId.startsWith(instanceIdPrefix));
    }

    /** Builder for {@link InstanceQuery}; {@link #build()} validates. */
    public static final class Builder {
        private Instant createdFrom;
        private Instant createdTo;
        private Set<RuntimeStatus> statuses = Set.of();
        private String instanceIdPrefix;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private String continuationToken;
        private boolean fetchInputsAndOutputs;

        private Builder() {
        }

        public Builder createdFrom(Instant value) { this.createdFrom = value; return this; }

        public Builder createdTo(Instant value) { this.createdTo = value; return this; }

        public Builder statuses(Set<RuntimeStatus> value) { this.statuses = value; return this; }

        public Builder statuses(RuntimeStatus... value) { this.statuses = value.length == 0 ? Set.of() : EnumSet.of(value[0], value); return this; }

        public Builder instanceIdPrefix(String value) { this.instanceIdPrefix = value; return this; }

        public Builder pageSize(int value) { this.pageSize = value; return this; }

        public Builder continuationToken(String value) { this.continuationToken = value; return this; }

        public Builder fetchInputsAndOutputs(boolean value) { this.fetchInputsAndOutputs = value; return this; }

        /** The query; throws {@link InvalidRequestException} when the page size or the time range is invalid. */
        public InstanceQuery build() {
            return new InstanceQuery(createdFrom, createdTo, statuses, instanceIdPrefix, pageSize, continuationToken, fetchInputsAndOutputs);
        }
    }
}
