package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which instances {@link dev.taskhub.client.TaskHubClient#purgeInstances} removes. Only terminal instances are ever purged; statuses
 * that are not terminal are rejected.
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
}
