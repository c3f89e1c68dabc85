package dev.taskhub.spi;

import dev.taskhub.history.HistoryEvent;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The history store: the append-only history of each instance's current execution. Writes happen through checkpoints. */
public interface HistoryStore {
    /** The history of the instance's current execution, in the order it was appended; empty when there is none. */
    List<HistoryEvent> getHistory(String instanceId);

    /**
     * The histories of several instances, each as {@link #getHistory} returns it; an instance without history maps to
     * an empty list or is left out. A worker calls this for the instances of a locked batch whose history it does not
     * hold (after a restart, a takeover, or for a bulk operation over many instances), so a provider that can read
     * many histories in one round trip should override it; the default reads them one by one.
     */
    default Map<String, List<HistoryEvent>> getHistories(Collection<String> instanceIds) {
        Map<String, List<HistoryEvent>> histories = new HashMap<>();
        for (String instanceId : instanceIds) {
            histories.put(instanceId, getHistory(instanceId));
        }
        return histories;
    }
}
