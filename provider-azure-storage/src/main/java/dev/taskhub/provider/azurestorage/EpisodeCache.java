package dev.taskhub.provider.azurestorage;

import dev.taskhub.provider.azurestorage.InstanceRepository.InstanceRow;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this worker last committed for an instance — its history sentinel and its instance row — so that the
 * instance's next episode here starts from them instead of reading both back (two storage requests per episode).
 *
 * <p>An entry never lets a stale writer through: the history batch of the next checkpoint deletes the fence row the
 * remembered sentinel names and fails as a whole when another writer has moved the sentinel on since (see
 * {@link HistoryRepository#append}), and the row write is conditional on the remembered ETag. An entry is taken out
 * while its instance is locked, dropped when its partition leaves this worker, and not kept for finished instances
 * (whose next message is usually a new start) or for large states.
 */
final class EpisodeCache {
    /** One instance's sentinel (as written, without ETag) and instance row (with the ETag its write answered). */
    record Entry(int partition, Sentinel sentinel, InstanceRow row, int chars) {}

    static final int MAX_ENTRY_CHARS = 64 * 1024;

    private final long maxChars;
    private long chars;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);

    /** @param maxChars the most property text kept in all entries together (0 keeps nothing) */
    EpisodeCache(long maxChars) {
        this.maxChars = maxChars;
    }

    /** Takes the instance's entry out (the caller locked the instance), or null. */
    synchronized Entry take(String instanceId) {
        Entry e = entries.remove(instanceId);
        if (e != null) {
            chars -= e.chars();
        }
        return e;
    }

    /** Remembers what a checkpoint wrote, unless the state is finished or too large to keep. */
    synchronized void put(String instanceId, int partition, Sentinel sentinel, InstanceRow row) {
        take(instanceId);
        if (row.etag() == null || row.state().status().isTerminal()) {
            return;
        }
        int size = size(sentinel.properties()) + size(row.props());
        if (size > MAX_ENTRY_CHARS || size > maxChars) {
            return;
        }
        entries.put(instanceId, new Entry(partition, sentinel, row, size));
        chars += size;
        for (Iterator<Entry> it = entries.values().iterator(); chars > maxChars && it.hasNext(); ) {
            chars -= it.next().chars();
            it.remove();
        }
    }

    /** Forgets the entries of a partition that is no longer this worker's. */
    synchronized void dropPartition(int partition) {
        entries.values().removeIf(e -> {
            if (e.partition() == partition) {
                chars -= e.chars();
                return true;
            }
            return false;
        });
    }

    synchronized void clear() {
        entries.clear();
        chars = 0;
    }

    synchronized int size() {
        return entries.size();
    }

    private static int size(Map<String, Object> props) {
        int n = 0;
        for (Map.Entry<String, Object> p : props.entrySet()) {
            n += p.getKey().length() + String.valueOf(p.getValue()).length();
        }
        return n;
    }
}
