package dev.taskhub.spi;

import java.util.List;

/** Commits episode checkpoints. */
public interface CheckpointStore {
    /**
     * Applies each checkpoint as described in {@link Checkpoint}, each all-or-nothing (atomically where the store
     * allows it, otherwise in an order whose replay after a crash is idempotent). A checkpoint whose lock is lost or
     * whose history version is stale is refused with {@link LeaseLostException} and changes nothing. Returns one
     * result per element, in order. Providers may apply the batch in one transaction.
     */
    List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints);
}
