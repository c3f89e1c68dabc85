package dev.taskhub.provider.azurestorage;

import com.azure.data.tables.models.TableEntity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sentinel row of an instance's history partition (RowKey {@code sentinel}): the history version (the ETag
 * equivalent handed out with work items), the row range {@code [firstSeq, nextSeq)} of the current history, the ids
 * of recently consumed messages (so redelivered messages are dropped), and a copy of the last committed instance
 * state with the version it belongs to (to repair the instance row after a crash between steps 2 and 3), and the key
 * of its fence row (see {@link HistoryRepository#append}).
 *
 * <p>A sentinel read from the table has its {@code etag}; one this worker wrote and remembers (see
 * {@link EpisodeCache}) has none, since batch responses do not report the new ETag.
 */
record Sentinel(long version, long firstSeq, long nextSeq, Set<String> consumed, long stateVersion,
                Map<String, Object> properties, String etag) {
    static final String ROW_KEY = "sentinel";
    static final String STATE_PREFIX = "S_";
    /** The token of the batch that last wrote the sentinel (a random id per checkpoint and batch). */
    static final String WRITER = "Writer";
    /** The RowKey of the fence row that exists exactly as long as the sentinel is in this state. */
    static final String FENCE = "Fence";
    static final int MAX_CONSUMED = 400;
    static final Sentinel EMPTY = new Sentinel(0, 0, 0, Set.of(), -1, Map.of(), null);

    static Sentinel from(TableEntity e) {
        return of(e.getProperties(), e.getETag());
    }

    /** The sentinel with properties {@code p} (as written) and ETag {@code etag} (null when not known). */
    static Sentinel of(Map<String, Object> p, String etag) {
        String consumed = StateCodec.str(p, "Consumed");
        Set<String> ids = consumed == null || consumed.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(consumed.split(",")));
        return new Sentinel(StateCodec.lng(p, "Version", 0), StateCodec.lng(p, "FirstSeq", 0), StateCodec.lng(p, "NextSeq", 0), ids,
                StateCodec.lng(p, "StateVersion", -1), p, etag);
    }

    boolean exists() {
        return etag != null || properties.containsKey("Version");
    }

    /** The RowKey of the fence row of this state, or null (written before fences, or just reset). */
    String fence() {
        return StateCodec.str(properties, FENCE);
    }

    String writer() {
        return StateCodec.str(properties, WRITER);
    }

    static String joinConsumed(Set<String> old, List<String> added) {
        List<String> all = new ArrayList<>(old);
        for (String id : added) {
            if (!old.contains(id)) {
                all.add(id);
            }
        }
        if (all.size() > MAX_CONSUMED) {
            all = all.subList(all.size() - MAX_CONSUMED, all.size());
        }
        return String.join(",", all);
    }
}
