package dev.taskhub.orchestration;

/**
 * An orchestrator function. It runs again from the top at every episode and must be deterministic: take time, ids
 * and randomness from the context and do I/O only in activities. Its return value (serialised as JSON) becomes the
 * instance's output.
 *
 * @param <R> the output type
 */
@FunctionalInterface
public interface Orchestrator<R> {
    R run(OrchestrationContext ctx);
}
