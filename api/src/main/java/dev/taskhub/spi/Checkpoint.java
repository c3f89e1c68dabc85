package dev.taskhub.spi;

import dev.taskhub.history.HistoryEvent;

import java.util.List;

/**
 * The result of one episode, committed all-or-nothing by {@link CheckpointStore#commitCheckpoints}.
 *
 * <p>Applying it means: check that {@code workItem.lockToken()} still holds the instance's lock and the stored history
 * version still equals {@code workItem.historyVersion()} (else refuse with {@link LeaseLostException}); append
 * {@code newEvents} to the history (or, when {@code replaceHistory}, replace the history by them) and, when history
 * changed, set the version to {@code workItem.historyVersion() + 1}; upsert {@code state} unless it is null; enqueue
 * {@code orchestrationMessages} and {@code activityRequests}; delete the consumed messages (exactly those in
 * {@code workItem.messages()}); release the lock.
 *
 * @param workItem              the locked work item this checkpoint completes
 * @param newEvents             history events to append (or the whole new history when {@code replaceHistory})
 * @param replaceHistory        whether {@code newEvents} replaces the stored history (continue-as-new, rewind)
 * @param state                 the new instance state, or null to leave the instance row untouched
 * @param orchestrationMessages messages to instances (timers, events, sub-orchestration starts, parent notifications)
 * @param activityRequests      activities to run
 */
public record Checkpoint(OrchestrationWorkItem workItem, List<HistoryEvent> newEvents, boolean replaceHistory,
                         InstanceState state, List<TaskMessage> orchestrationMessages, List<ActivityRequest> activityRequests) {
    public Checkpoint {
        newEvents = List.copyOf(newEvents);
        orchestrationMessages = List.copyOf(orchestrationMessages);
        activityRequests = List.copyOf(activityRequests);
    }

    /** Whether this checkpoint writes history (and so bumps the history version). */
    public boolean changesHistory() {
        return replaceHistory || !newEvents.isEmpty();
    }
}
