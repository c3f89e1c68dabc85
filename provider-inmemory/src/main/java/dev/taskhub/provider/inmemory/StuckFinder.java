package dev.taskhub.provider.inmemory;

import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.support.StuckFacts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
        List<StuckInstance> found = new ArrayList<>();
        hub.lock.lock();
        try {
            for (HubState.Instance instance : hub.instances.values()) {
                InstanceState s = instance.state;
                QueueStore.QueueFacts q = queues.facts(s.instanceId(), now);
                StuckFacts facts = q == null
                        ? new StuckFacts(s.instanceId(), s.name(), s.status(), s.createdAt(), s.scheduledStartAt(), null, null, false, null, 0)
                        : new StuckFacts(s.instanceId(), s.name(), s.status(), s.createdAt(), s.scheduledStartAt(), q.oldestDue(),
                                q.oldestTimer(), q.lockedLive(), q.lockedUntil(), q.deliveries());
                facts.judge(query, now).ifPresent(found::add);
            }
        } finally {
            hub.lock.unlock();
        }
        return StuckFacts.answer(found, query, now, StuckInstances.ALL_REASONS, false);
    }
}
