package dev.taskhub.internal;

import dev.taskhub.history.HistoryEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Histories of recently run instances, kept between episodes so that a worker does not reload them from storage.
 * An entry is used only when its execution and version equal those the provider reports with the locked work item.
 */
final class HistoryCache {
    private record Entry(String executionId, long version, List<HistoryEvent> events) {}

    private final int capacity;
    private final Map<String, Entry> entries;

    HistoryCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > HistoryCache.this.capacity;
            }
        };
    }

    /** The cached history when it is of this execution and version, else null. */
    synchronized List<HistoryEvent> get(String instanceId, String executionId, long version) {
        Entry entry = entries.get(instanceId);
        return entry != null && entry.version == version && entry.executionId.equals(executionId) ? entry.events : null;
    }

    synchronized void put(String instanceId, String executionId, long version, List<HistoryEvent> events) {
        if (capacity > 0 && executionId != null) {
            entries.put(instanceId, new Entry(executionId, version, events));
        }
    }

    synchronized void remove(String instanceId) {
        entries.remove(instanceId);
    }
}
