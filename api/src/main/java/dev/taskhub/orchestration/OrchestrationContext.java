package dev.taskhub.orchestration;

import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What an orchestrator can do. Every method is deterministic under replay. Not thread-safe: call it only from the
 * orchestrator's own thread.
 */
public interface OrchestrationContext {
    String getName();

    String getInstanceId();

    /** The input deserialised as {@code type}; null when the instance has no input. */
    <T> T getInput(Class<T> type);

    /** The time of the current episode, the same on every replay. Use it instead of the clock. */
    Instant getCurrentInstant();

    /** Whether the code is re-running over recorded history (for logging; do not branch on it). */
    boolean isReplaying();

    /** A UUID that is the same on every replay (name-based on instance id, execution and a counter). */
    UUID newUuid();

    /** A logger that stays silent while replaying, so each line is written once. */
    Logger getLogger(Class<?> type);

    <T> Task<T> callActivity(String name, Object input, Class<T> resultType, RetryPolicy retryPolicy);

    default <T> Task<T> callActivity(String name, Object input, Class<T> resultType) {
        return callActivity(name, input, resultType, null);
    }

    default Task<Void> callActivity(String name, Object input) {
        return callActivity(name, input, Void.class, null);
    }

    /**
     * Calls an activity as a <em>local activity</em>: the orchestration worker runs it itself, in the episode that
     * waits for it, and records the call and its result in the history with the episode's checkpoint, instead of
     * sending it through the activity queue and waiting for another episode. A chain of local activities therefore
     * costs one checkpoint instead of one per activity.
     *
     * <p>The activity must be registered on the worker that runs the orchestrator. It runs when the orchestrator waits
     * and nothing else is left to apply (several local calls made before that wait run at once, on a pool bounded by
     * the worker's {@code activityConcurrency}). A replay uses the recorded result and does not run it again. Semantics
     * are at least once, as for any activity: if the worker stops (or loses the instance's lock) after running it and
     * before the checkpoint is committed, it runs again in the next episode. A failure surfaces as
     * {@link TaskFailedException}, as for {@link #callActivity}.
     *
     * <p>With a retry policy, each attempt is recorded as its own call (a {@code TaskScheduled} with its result).
     * Back-offs of at most one second are waited in the worker, within the same episode; longer ones use a durable
     * timer between attempts, as for an ordinary activity.
     *
     * <p>Use it for short (well under the lock lease), idempotent work; the instance's lock is held while it runs, so
     * events for the instance wait meanwhile. Use {@link #callActivity} for long work, for work that must run on another
     * pool of workers, or when many should be spread over several workers.
     */
    <T> Task<T> callLocalActivity(String name, Object input, Class<T> resultType, RetryPolicy retryPolicy);

    default <T> Task<T> callLocalActivity(String name, Object input, Class<T> resultType) {
        return callLocalActivity(name, input, resultType, null);
    }

    default Task<Void> callLocalActivity(String name, Object input) {
        return callLocalActivity(name, input, Void.class, null);
    }

    /** A durable timer that completes at {@code fireAt}; never earlier. */
    Task<Void> createTimer(Instant fireAt);

    default Task<Void> createTimer(Duration delay) {
        return createTimer(getCurrentInstant().plus(delay));
    }

    /**
     * Waits for an external event by name. Events raised before the orchestrator waits are buffered, and delivered
     * in arrival order. With a timeout, the task fails with {@link TaskCanceledException} when it elapses first.
     */
    <T> Task<T> waitForExternalEvent(String name, Duration timeout, Class<T> type);

    default <T> Task<T> waitForExternalEvent(String name, Class<T> type) {
        return waitForExternalEvent(name, null, type);
    }

    /** Starts a sub-orchestration; {@code instanceId} may be null for a deterministic generated id. */
    <T> Task<T> callSubOrchestrator(String name, Object input, String instanceId, Class<T> resultType, RetryPolicy retryPolicy);

    default <T> Task<T> callSubOrchestrator(String name, Object input, Class<T> resultType) {
        return callSubOrchestrator(name, input, null, resultType, null);
    }

    /** Sends an event to another instance (fire and forget, durable). */
    void sendEvent(String instanceId, String eventName, Object data);

    /**
     * Restarts this instance with a new input and an empty history, ending the current episode at once. With
     * {@code preserveUnprocessedEvents}, external events received but not yet consumed are delivered to the new run.
     */
    void continueAsNew(Object newInput, boolean preserveUnprocessedEvents);

    default void continueAsNew(Object newInput) {
        continueAsNew(newInput, true);
    }

    /** Sets a JSON-serialisable custom status, visible in the instance metadata. */
    void setCustomStatus(Object customStatus);

    /** A task that completes when all tasks complete, with their results in order; fails with the first failure. */
    <V> Task<List<V>> allOf(List<? extends Task<? extends V>> tasks);

    /** A task that completes when any of the tasks completes (or fails), with that task as its result. */
    Task<Task<?>> anyOf(List<? extends Task<?>> tasks);
}
