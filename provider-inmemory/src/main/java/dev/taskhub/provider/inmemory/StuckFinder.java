package dev.taskhub.provider.inmemory;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.spi.InstanceState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The stuck-instance query: one walk over the hub's instances and their queues under the hub lock (linear in the
 * instances; the in-memory hub has no index to spare it). Sees every reason.
 */
final class StuckFinder {
    private final HubState hub;
    private final QueueStore queues;

    StuckFinder(HubState hub, QueueStore queues) {
        this.hub = hub;
        this.queues = queues;
    }

    StuckInstances find(StuckQuery query, Instant now) {
        Instant cutoff = now.minus(query.threshold());
        List<StuckInstance> found = new ArrayList<>();
        hub.lock.lock();
        try {
            for (HubState.Instance instance : hub.instances.values()) {
                StuckInstance stuck = judge(instance.state, queues.facts(instance.state.instanceId(), now), query, cutoff);
                if (stuck != null) {
                    found.add(stuck);
                }
            }
        } finally {
            hub.lock.unlock();
        }
        found.sort(Comparator.comparing(StuckInstance::createdAt).thenComparing(StuckInstance::instanceId));
        boolean more = found.size() > query.limit();
        return new StuckInstances(more ? found.subList(0, query.limit()) : found, more, StuckInstances.ALL_REASONS, now);
    }

    private static StuckInstance judge(InstanceState s, QueueStore.QueueFacts q, StuckQuery query, Instant cutoff) {
        Set<StuckReason> reasons = EnumSet.noneOf(StuckReason.class);
        Instant start = s.scheduledStartAt() != null ? s.scheduledStartAt() : s.createdAt();
        if (s.status() == RuntimeStatus.PENDING && s.createdAt().isBefore(cutoff) && start.isBefore(cutoff)) {
            reasons.add(StuckReason.PENDING);
        }
        if (q != null) {
            if (s.status() == RuntimeStatus.RUNNING && !q.lockedLive() && q.oldestTimer() != null && q.oldestTimer().isBefore(cutoff)) {
                reasons.add(StuckReason.OVERDUE_TIMER);
            }
            if (q.lockExpiredAt() != null && q.lockExpiredAt().isBefore(cutoff)) {
                reasons.add(StuckReason.LOCKED_PAST_LEASE);
            }
            if (q.deliveries() >= query.repeatedDeliveries()) {
                reasons.add(StuckReason.REPEATED_FAILURES);
            }
        }
        if (reasons.isEmpty()) {
            return null;
        }
        Instant due = q != null ? q.oldestDue() : s.status() == RuntimeStatus.PENDING ? start : null;
        return new StuckInstance(s.instanceId(), s.name(), s.status(), reasons, s.createdAt(), due,
                q != null ? q.lockExpiredAt() : null, q != null ? q.deliveries() : 0);
    }
}
