package dev.taskhub.spi;

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
}
