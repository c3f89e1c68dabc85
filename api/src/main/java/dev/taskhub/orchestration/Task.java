package dev.taskhub.orchestration;

/**
 * The pending result of a durable call inside an orchestrator. {@link #await()} returns the result when the history
 * has it; otherwise it ends the current episode (the orchestrator runs again when the result arrives). Never catch
 * {@link Throwable} or {@link Error} around {@code await()}: the engine unwinds the orchestrator with an {@link Error}.
 *
 * @param <T> the result type
 */
public interface Task<T> {
    /**
     * The result. Throws {@link TaskFailedException} when the activity or sub-orchestration failed, and
     * {@link TaskCanceledException} when a wait timed out.
     */
    T await();

    /** Whether the result (or failure) is known in this replay. */
    boolean isDone();

    /** Whether the task is done and failed. */
    boolean isFailed();
}
