package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which instances {@link dev.taskhub.client.TaskHubClient#purgeInstances} removes. Only terminal instances are ever purged; statuses
 * that are not terminal are rejected. Immutable; build with {@link #builder()}.
 *
 * @param createdFrom required lower bound of the creation time (inclusive)
 * @param createdTo   optional upper bound (inclusive)
 * @param statuses    terminal statuses to purge; empty means all terminal statuses
 */
public record PurgeCriteria(Instant createdFrom, Instant createdTo, Set<RuntimeStatus> statuses) {
    public PurgeCriteria {
        if (createdFrom == null) {
            throw new InvalidRequestException("Purging by criteria needs createdFrom; use Instant.EPOCH to purge from the beginning.");
        }
        if (createdTo != null && createdFrom.isAfter(createdTo)) {
            throw new InvalidRequestException("createdFrom (" + createdFrom + ") is after createdTo (" + createdTo + ").");
        }
        statuses = statuses == null || statuses.isEmpty()
                ? Set.of(RuntimeStatus.COMPLETED, RuntimeStatus.FAILED, RuntimeStatus.TERMINATED)
                : Set.copyOf(EnumSet.copyOf(statuses));
        for (RuntimeStatus status : statuses) {
            if (!status.isTerminal()) {
                throw new InvalidRequestException("Only finished instances can be purged; status " + status.wireName()
                        + " is not terminal. Use Completed, Failed or Terminated.");
            }
        }
    }

    public boolean matches(RuntimeStatus status, Instant createdAt) {
        return statuses.contains(status) && !createdAt.isBefore(createdFrom) && (createdTo == null || !createdAt.isAfter(createdTo));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these criteria, to change some of them. */
    public Builder toBuilder() {
        return new Builder().createdFrom(createdFrom).createdTo(createdTo).statuses(statuses);
    }

    /** Builder for {@link PurgeCriteria}; {@link #build()} validates. */
    public static final class Builder {
        private Instant createdFrom;
        private Instant createdTo;
        private Set<RuntimeStatus> statuses = Set.of();

        private Builder() {
        }

        /** Required lower bound of the creation time (inclusive); {@link Instant#EPOCH} to purge from the beginning. */
        public Builder createdFrom(Instant value) { this.createdFrom = value; return this; }

        /** Optional upper bound of the creation time (inclusive). */
        public Builder createdTo(Instant value) { this.createdTo = value; return this; }

        /** Terminal statuses to purge; null or empty means all terminal statuses. */
        public Builder statuses(Set<RuntimeStatus> value) { this.statuses = value; return this; }

        /** Terminal statuses to purge; none means all terminal statuses. */
        public Builder statuses(RuntimeStatus... value) { this.statuses = value.length == 0 ? Set.of() : EnumSet.of(value[0], value); return this; }

        /** The criteria; throws {@link InvalidRequestException} when createdFrom is missing, the range is reversed or a
         * status is not terminal. */
        public PurgeCriteria build() {
            return new PurgeCriteria(createdFrom, createdTo, statuses);
        }
    }
}
