package dev.taskhub.activity;

/**
 * An activity function. Runs at least once per call (again after a worker crash), so make it idempotent where it
 * matters. Throwing fails the call; the orchestrator sees a {@link dev.taskhub.orchestration.TaskFailedException}.
 *
 * @param <R> the result type (serialised as JSON)
 */
@FunctionalInterface
public interface Activity<R> {
    R run(ActivityContext ctx) throws Exception;
}
