package dev.taskhub.spi;

import java.util.List;

/**
 * The outcome of a batched commit that also locked the caller's next work: one result per element of the batch, in
 * order, and the work items locked after the batch was applied (empty when there was none, when the caller asked for
 * none, or when the store does not lock and commit together).
 *
 * @param results one result per committed element, in order
 * @param locked  work items now locked for the caller, as a lock call would have returned them
 * @param <T>     {@link OrchestrationWorkItem} or {@link ActivityWorkItem}
 */
public record CommittedBatch<T>(List<CommitResult> results, List<T> locked) {
    public CommittedBatch {
        results = List.copyOf(results);
        locked = List.copyOf(locked);
    }

    /** A batch committed with nothing locked after it. */
    public static <T> CommittedBatch<T> committedOnly(List<CommitResult> results) {
        return new CommittedBatch<>(results, List.of());
    }
}
