package dev.taskhub.provider.inmemory;

import dev.taskhub.history.HistoryEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The history store: each instance's history lives beside its row in {@link HubState}, so creating, replacing and
 * purging an instance keep both in step. Writes happen through {@link CheckpointWriter}, under the hub lock.
 */
final class HistoryRepository {
    private final HubState hub;
    private long versions;

    HistoryRepository(HubState hub) {
        this.hub = hub;
    }

    List<HistoryEvent> read(String instanceId) {
        hub.lock.lock();
        try {
            HubState.Instance instance = hub.instances.get(instanceId);
            return instance == null ? List.of() : List.copyOf(instance.history);
        } finally {
            hub.lock.unlock();
        }
    }

    /** The history version of an instance, 0 when it does not exist. The caller holds the hub lock. */
    long version(String instanceId) {
        HubState.Instance instance = hub.instances.get(instanceId);
        return instance == null ? 0 : instance.historyVersion;
    }

    /** Gives a new instance's (empty) history a version never used before. The caller holds the hub lock. */
    void start(HubState.Instance instance) {
        instance.historyVersion = ++versions;
    }

    /** Appends {@code events} (or replaces the history with them) at {@code version}. The caller holds the hub lock. */
    void append(HubState.Instance instance, List<HistoryEvent> events, boolean replace, long version) {
        if (replace) {
            instance.history = new ArrayList<>(events);
        } else {
            instance.history.addAll(events);
        }
        instance.historyVersion = version;
    }
}
