package dev.taskhub.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The orchestration queue (messages to instances, locked per instance) and the activity queue (locked per message).
 *
 * <p>Invariants: a message is not delivered before its {@code visibleAt}; at most one lock per instance is held at a
 * time across all processes; messages of one instance are delivered in enqueue order; a lock whose lease expired is
 * no longer held — commits, renewals and completions presenting it are refused even if nobody has taken the item over
 * yet — and the item may be locked by another caller; every lock increments the delivery count of the messages it
 * delivers.
 */
public interface MessageQueue {
    /** Enqueues a message for an instance (which need not exist yet). Durable when this returns. */
    void sendOrchestrationMessage(TaskMessage message);

    /**
     * Enqueues several messages, for any instances; durable when this returns. This default sends them one at a time
     * (a failure part-way leaves the earlier ones sent, which the caller must tolerate, as bulk jobs do by sending again);
     * stores that can insert many at once override it, all or nothing.
     */
    default void sendOrchestrationMessages(List<TaskMessage> messages) {
        messages.forEach(this::sendOrchestrationMessage);
    }

    /**
     * Locks up to {@code max} instances that have visible messages and no live lock, each with all its visible
     * messages. Waits up to {@code maxWait} for work when none is ready, returning early as soon as some is, and
     * returns an empty list after that. Returns promptly (possibly empty) when the calling thread is interrupted.
     */
    List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait);

    /** Extends the lease; returns the new expiry. Throws {@link LeaseLostException} when the lock is no longer held. */
    Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease);

    /**
     * Releases the lock without consuming messages; they become visible again after {@code delay}. A lost lock is
     * ignored.
     */
    void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay);

    /** Locks up to {@code max} visible activity messages, waiting as {@link #lockOrchestrationWorkItems} does. */
    List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait);

    /** Extends the lease; returns the new expiry. Throws {@link LeaseLostException} when the lock is no longer held. */
    Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease);

    /** Releases the lock; the message becomes visible again after {@code delay}. A lost lock is ignored. */
    void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay);

    /**
     * Applies activity results: for each, if its lock is still held, delete the activity message and enqueue the
     * response, all-or-nothing; otherwise refuse it with {@link LeaseLostException}. Returns one result per element,
     * in order. Storage failures are thrown or reported per element, as for checkpoints; an unreported result's
     * activity runs again after its lease expires.
     */
    List<CommitResult> completeActivityWorkItems(List<ActivityResult> results);

    /**
     * Applies activity results as {@link #completeActivityWorkItems} does, then locks up to {@code lockMax} activity
     * messages as {@link #lockActivityWorkItems} does without waiting, in one transaction where the store allows it (a
     * worker hands the slots its finished activities free to the next ones in the same round trip). A failure leaves
     * neither applied.
     *
     * <p>This default completes and locks nothing (the worker then locks with its next poll); stores that can do both
     * in one transaction override it.
     */
    default CommittedBatch<ActivityWorkItem> completeActivityWorkItemsAndLock(List<ActivityResult> results, int lockMax, Duration lease) {
        return CommittedBatch.committedOnly(completeActivityWorkItems(results));
    }
}
