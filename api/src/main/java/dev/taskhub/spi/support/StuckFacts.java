package dev.taskhub.spi.support;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a store knows of one instance and its queue, judged against a {@link StuckQuery} exactly as
 * {@link dev.taskhub.spi.InstanceStore#findStuckInstances} defines the reasons: for stores that gather the facts (one
 * row per instance, or a walk in memory) and judge them in Java. Immutable.
 *
 * @param instanceId       the instance
 * @param name             its orchestration name
 * @param status           its runtime status
 * @param createdAt        when it was created
 * @param scheduledStartAt its scheduled start, or null
 * @param oldestDue        the earliest visibility time of its messages that are visible now, or null
 * @param oldestTimer      the earliest fire time of its {@code TimerFired} messages that are due now, or null
 * @param lockedLive       whether a worker holds its lock now (lease not ended)
 * @param lockedUntil      the end of the lease of its lock, or null when it is not locked
 * @param deliveries       deliveries of its current messages without a checkpoint that consumed them
 */
public record StuckFacts(String instanceId, String name, RuntimeStatus status, Instant createdAt, Instant scheduledStartAt,
                         Instant oldestDue, Instant oldestTimer, boolean lockedLive, Instant lockedUntil, int deliveries) {

    /** The instance with its reasons, or empty when none applies. */
    public Optional<StuckInstance> judge(StuckQuery query, Instant now) {
        Instant cutoff = now.minus(query.threshold());
        Set<StuckReason> reasons = EnumSet.noneOf(StuckReason.class);
        Instant start = scheduledStartAt != null ? scheduledStartAt : createdAt;
        if (status == RuntimeStatus.PENDING && createdAt.isBefore(cutoff) && start.isBefore(cutoff)) {
            reasons.add(StuckReason.PENDING);
        }
        if (status == RuntimeStatus.RUNNING && !lockedLive && oldestTimer != null && oldestTimer.isBefore(cutoff)) {
            reasons.add(StuckReason.OVERDUE_TIMER);
        }
        boolean lockExpired = lockedUntil != null && !lockedLive && lockedUntil.isBefore(cutoff);
        if (lockExpired) {
            reasons.add(StuckReason.LOCKED_PAST_LEASE);
        }
        if (deliveries >= query.repeatedDeliveries()) {
            reasons.add(StuckReason.REPEATED_FAILURES);
        }
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        Instant due = oldestDue != null ? oldestDue : status == RuntimeStatus.PENDING ? start : null;
        return Optional.of(new StuckInstance(instanceId, name, status, reasons, createdAt, due, lockExpired ? lockedUntil : null,
                deliveries));
    }

    /**
     * The answer for the found instances (any order): ordered by (createdAt, instanceId), cut at the query's limit,
     * {@code more} when it cut (or when {@code moreBeyond}).
     */
    public static StuckInstances answer(Collection<StuckInstance> found, StuckQuery query, Instant now, Set<StuckReason> examined,
                                        boolean moreBeyond) {
        List<StuckInstance> all = new ArrayList<>(found);
        all.sort(Comparator.comparing(StuckInstance::createdAt).thenComparing(StuckInstance::instanceId));
        boolean cut = all.size() > query.limit();
        return new StuckInstances(cut ? all.subList(0, query.limit()) : all, cut || moreBeyond, examined, now);
    }
}
