package dev.taskhub.spi;

import dev.taskhub.TaskhubException;

/**
 * The caller no longer holds the lock it presents: the lease expired and another worker took the item, or the history
 * changed since the lock was taken. Nothing was applied. Workers drop the work item and move on.
 */
public final class LeaseLostException extends TaskhubException {
    private final String itemId;

    public LeaseLostException(String itemId, String message) {
        super(message);
        this.itemId = itemId;
    }

    /** The instance id or activity message id whose lock was lost. */
    public String itemId() {
        return itemId;
    }
}
