package dev.taskhub.provider.inmemory;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.ExpiredInstances;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.TaskMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The instance store: creates (with the id-reuse policy), reads, pages and purges the instance rows of
 * {@link HubState}, and keeps them indexed by (createdAt, instanceId) for stable paging. A create enqueues its start
 * message, and a purge drops the instance's pending messages, under the same lock.
 */
final class InstanceRepository {
    private record Key(Instant createdAt, String instanceId) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::createdAt).thenComparing(Key::instanceId);

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    private final HubState hub;
    private final HistoryRepository history;
    private final QueueStore queues;
    private final TreeMap<Key, HubState.Instance> byCreated = new TreeMap<>();

    InstanceRepository(HubState hub, HistoryRepository history, QueueStore queues) {
        this.hub = hub;
        this.history = history;
        this.queues = queues;
    }

    void create(InstanceState state, TaskMessage start, Set<RuntimeStatus> replaceable) {
        hub.lock.lock();
        try {
            insert(state, replaceable);
            queues.enqueue(start, hub.clock.instant());
        } finally {
            hub.lock.unlock();
        }
    }

    /** Writes an imported instance with its history and messages under the hub lock; returns whether one was replaced. */
    boolean importInstance(InstanceImport imported, Set<RuntimeStatus> replaceable) {
        hub.lock.lock();
        try {
            boolean replaced = hub.instances.containsKey(imported.instanceId());
            HubState.Instance instance = insert(imported.state(), replaceable);
            instance.history = new ArrayList<>(imported.history());
            Instant now = hub.clock.instant();
            imported.orchestrationMessages().forEach(m -> queues.enqueue(m, now));
            imported.activityRequests().forEach(r -> queues.enqueueActivity(r, now));
            return replaced;
        } finally {
            hub.lock.unlock();
        }
    }

    /**
     * Adds a new instance row with an empty history of a fresh version, replacing an existing one whose status is
     * replaceable (with its history and messages), else throwing. The caller holds the hub lock.
     */
    private HubState.Instance insert(InstanceState state, Set<RuntimeStatus> replaceable) {
        HubState.Instance existing = hub.instances.get(state.instanceId());
        if (existing != null) {
            if (!replaceable.contains(existing.state.status())) {
                throw new InstanceAlreadyExistsException(state.instanceId(), existing.state.status());
            }
            remove(state.instanceId());
        }
        HubState.Instance instance = new HubState.Instance();
        instance.state = state;
        history.start(instance);
        hub.instances.put(state.instanceId(), instance);
        byCreated.put(new Key(state.createdAt(), state.instanceId()), instance);
        return instance;
    }

    Optional<InstanceState> get(String instanceId) {
        hub.lock.lock();
        try {
            HubState.Instance instance = hub.instances.get(instanceId);
            return instance == null ? Optional.empty() : Optional.of(instance.state);
        } finally {
            hub.lock.unlock();
        }
    }

    /**
     * Writes an instance's state, creating the instance (with a new, empty history) when it does not exist. Returns
     * the instance. The caller holds the hub lock.
     */
    HubState.Instance save(String instanceId, InstanceState state) {
        HubState.Instance instance = hub.instances.get(instanceId);
        if (instance == null) {
            instance = new HubState.Instance();
            history.start(instance);
            hub.instances.put(instanceId, instance);
        } else {
            byCreated.remove(new Key(instance.state.createdAt(), instanceId));
        }
        instance.state = state;
        byCreated.put(new Key(instance.state.createdAt(), instanceId), instance);
        return instance;
    }

    InstancePage query(InstanceQuery query) {
        Key after = null;
        if (query.continuationToken() != null) {
            ContinuationTokens.Position p = ContinuationTokens.decode(query.continuationToken());
            after = new Key(p.createdAt(), p.instanceId());
        }
        hub.lock.lock();
        try {
            // Start at the later of the page position and createdFrom, so a range query does not walk older instances.
            Key from = query.createdFrom() == null ? null : new Key(query.createdFrom(), "");
            Map<Key, HubState.Instance> view;
            if (after != null && (from == null || after.compareTo(from) >= 0)) {
                view = byCreated.tailMap(after, false);
            } else {
                view = from == null ? byCreated : byCreated.tailMap(from, true);
            }
            List<InstanceState> page = new ArrayList<>();
            Key last = null;
            boolean more = false;
            for (Map.Entry<Key, HubState.Instance> entry : view.entrySet()) {
                InstanceState s = entry.getValue().state;
                if (query.createdTo() != null && s.createdAt().isAfter(query.createdTo())) {
                    break;
                }
                if (!query.matches(s.instanceId(), s.status(), s.createdAt())) {
                    continue;
                }
                if (page.size() == query.pageSize()) {
                    more = true;
                    break;
                }
                page.add(query.fetchInputsAndOutputs() ? s : s.withoutPayloads());
                last = entry.getKey();
            }
            return new InstancePage(page, more ? ContinuationTokens.encode(last.createdAt(), last.instanceId()) : null);
        } finally {
            hub.lock.unlock();
        }
    }

    /** Counts in place: one walk of the created-order index from createdFrom, under the hub lock. */
    InstanceCounts count(InstanceQuery query) {
        InstanceCounts.Tally tally = new InstanceCounts.Tally();
        hub.lock.lock();
        try {
            Map<Key, HubState.Instance> view = query.createdFrom() == null ? byCreated : byCreated.tailMap(new Key(query.createdFrom(), ""), true);
            for (HubState.Instance instance : view.values()) {
                InstanceState s = instance.state;
                if (query.createdTo() != null && s.createdAt().isAfter(query.createdTo())) {
                    break;
                }
                if (query.matches(s.instanceId(), s.status(), s.createdAt())) {
                    tally.add(s.name(), s.status());
                }
            }
        } finally {
            hub.lock.unlock();
        }
        return tally.build();
    }

    boolean purge(String instanceId) {
        hub.lock.lock();
        try {
            HubState.Instance instance = hub.instances.get(instanceId);
            if (instance == null || !instance.state.status().isTerminal()) {
                return false;
            }
            remove(instanceId);
            return true;
        } finally {
            hub.lock.unlock();
        }
    }

    long purge(PurgeCriteria criteria) {
        hub.lock.lock();
        try {
            List<String> ids = new ArrayList<>();
            for (HubState.Instance instance : byCreated.tailMap(new Key(criteria.createdFrom(), ""), true).values()) {
                if (criteria.matches(instance.state.status(), instance.state.createdAt())) {
                    ids.add(instance.state.instanceId());
                }
            }
            ids.forEach(this::remove);
            return ids.size();
        } finally {
            hub.lock.unlock();
        }
    }

    /** Drops every instance with its history and every message of the hub. */
    /** Retention's bounded purge: one walk over the hub's instances under the lock, stopping at the limit. */
    int purgeExpired(ExpiredInstances expired) {
        hub.lock.lock();
        try {
            List<String> ids = new ArrayList<>();
            for (HubState.Instance instance : hub.instances.values()) {
                if (ids.size() >= expired.limit()) {
                    break;
                }
                if (expired.matches(instance.state)) {
                    ids.add(instance.state.instanceId());
                }
            }
            ids.forEach(this::remove);
            return ids.size();
        } finally {
            hub.lock.unlock();
        }
    }

    void clear() {
        hub.lock.lock();
        try {
            hub.instances.clear();
            byCreated.clear();
            queues.clear();
            hub.quarantine.clear();
        } finally {
            hub.lock.unlock();
        }
    }

    /**
     * Removes an instance with its history, pending messages and quarantine records, and any pending activities it
     * scheduled.
     */
    private void remove(String instanceId) {
        HubState.Instance instance = hub.instances.remove(instanceId);
        if (instance != null) {
            byCreated.remove(new Key(instance.state.createdAt(), instanceId));
        }
        queues.drop(instanceId);
        hub.quarantine.values().removeIf(r -> r.instanceId().equals(instanceId));
    }
}
