package dev.taskhub.spi;

import dev.taskhub.TaskhubException;

/** The outcome of one element of a batched commit. Each element is all-or-nothing on its own. */
public sealed interface CommitResult {
    Committed COMMITTED = new Committed();

    record Committed() implements CommitResult {}

    /** Not applied; {@code cause} is usually a {@link LeaseLostException}. */
    record Refused(TaskhubException cause) implements CommitResult {}

    default boolean isCommitted() {
        return this instanceof Committed;
    }
}
