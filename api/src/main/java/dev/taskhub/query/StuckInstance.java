package dev.taskhub.query;

import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An instance found by {@link dev.taskhub.client.TaskHubClient#findStuckInstances}, with the reasons that apply and the
 * facts behind them. Immutable.
 *
 * @param instanceId    the instance
 * @param name          its orchestration name
 * @param status        its runtime status
 * @param reasons       why it counts as stuck (never empty)
 * @param createdAt     when it was created
 * @param oldestDueAt   when the oldest work of the instance that no episode has taken became due (its start, a timer
 *                      or another message), or null when the store does not know
 * @param lockExpiredAt when the lease of the lock still held on its work item expired, or null when it is not locked
 *                      past its lease
 * @param deliveryCount how many times its current messages were delivered without a successful checkpoint (0 when
 *                      none are, or the store does not know)
 */
public record StuckInstance(String instanceId, String name, RuntimeStatus status, Set<StuckReason> reasons, Instant createdAt,
                            Instant oldestDueAt, Instant lockExpiredAt, int deliveryCount) {
    public StuckInstance {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(status, "status");
        if (reasons == null || reasons.isEmpty()) {
            throw new IllegalArgumentException("A stuck instance has at least one reason.");
        }
        reasons = Set.copyOf(EnumSet.copyOf(reasons));
    }

    /** The reasons in declaration order (as printed and written on the wire). */
    public java.util.List<StuckReason> orderedReasons() {
        return EnumSet.copyOf(reasons).stream().toList();
    }
}
