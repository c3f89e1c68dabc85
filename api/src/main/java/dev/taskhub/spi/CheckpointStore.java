package dev.taskhub.spi;

import java.time.Duration;
import java.util.List;

/** Commits episode checkpoints. */
public interface CheckpointStore {
    /**
     * Applies each checkpoint as described in {@link Checkpoint}, each all-or-nothing (atomically where the store
     * allows it, otherwise in an order whose replay after a crash is idempotent). A checkpoint whose lock is lost or
     * whose history version is stale is refused with {@link LeaseLostException} and changes nothing. Returns one
     * result per element, in order. Providers may apply the batch in one transaction.
     *
     * <p>A storage failure is either thrown as {@link dev.taskhub.StorageException} (the worker abandons the whole batch)
     * or reported per element as {@code Refused(StorageException)}; either way the affected work items come back
     * and their replay is idempotent. Lock tokens need only be valid in the provider object that issued them.
     */
    List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints);

    /**
     * Commits the checkpoints as {@link #commitCheckpoints} does, then locks up to {@code lockMax} instances as
     * {@link MessageQueue#lockOrchestrationWorkItems} does without waiting, in one transaction where the store allows it:
     * a busy worker then needs one round trip per batch instead of two. Locking after the commit sees what the batch
     * sent, so an instance that got new messages meanwhile may come back at once. A failure leaves neither applied.
     *
     * <p>This default commits and locks nothing (the worker then locks with its next poll), which is correct for every
     * store; stores that can do both in one transaction override it.
     */
    default CommittedBatch<OrchestrationWorkItem> commitCheckpointsAndLock(List<Checkpoint> checkpoints, int lockMax, Duration lease) {
        return CommittedBatch.committedOnly(commitCheckpoints(checkpoints));
    }
}
