package dev.taskhub.spi;

import dev.taskhub.history.HistoryEvent;

import java.util.List;
import java.util.Objects;

/**
 * An instance written whole by {@link InstanceStore#importInstance}: its state as another store held it, the full
 * history of its current execution, and the messages that make it continue in this store (work that was outstanding
 * in the old store: activity requests, timer firings, a pending start, a child's completion for its parent).
 * Immutable.
 *
 * @param state                 the instance row, written as it is (status, times, execution id and payloads included)
 * @param history               the history of the current execution, in order; may be empty (a pending instance)
 * @param orchestrationMessages messages to enqueue, to this instance or to others (a parent waiting for it)
 * @param activityRequests      activity requests to enqueue
 */
public record InstanceImport(InstanceState state, List<HistoryEvent> history, List<TaskMessage> orchestrationMessages,
                             List<ActivityRequest> activityRequests) {
    public InstanceImport {
        Objects.requireNonNull(state, "state");
        history = List.copyOf(history);
        orchestrationMessages = List.copyOf(orchestrationMessages);
        activityRequests = List.copyOf(activityRequests);
    }

    /** The instance id of {@link #state()}. */
    public String instanceId() {
        return state.instanceId();
    }
}
