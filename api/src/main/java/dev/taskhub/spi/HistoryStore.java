package dev.taskhub.spi;

import dev.taskhub.history.HistoryEvent;

import java.util.List;

/** The history store: the append-only history of each instance's current execution. Writes happen through checkpoints. */
public interface HistoryStore {
    /** The history of the instance's current execution, in the order it was appended; empty when there is none. */
    List<HistoryEvent> getHistory(String instanceId);
}
