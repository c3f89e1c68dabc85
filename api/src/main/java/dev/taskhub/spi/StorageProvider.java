package dev.taskhub.spi;

import java.util.Set;

/**
 * Storage for one task hub. Thread-safe: one instance is shared by the client and every dispatcher thread of a
 * worker. The creator owns it and must {@link #close()} it.
 *
 * <p>Implementations keep the invariants listed in the SPI contracts ({@link InstanceStore}, {@link HistoryStore},
 * {@link MessageQueue}, {@link CheckpointStore}, {@link RetentionStore}, {@link QuarantineStore}); the conformance suite checks them. Operational failures are thrown as
 * {@link dev.taskhub.StorageException}; a lost lease or stale checkpoint as {@link LeaseLostException}.
 */
public interface StorageProvider extends InstanceStore, HistoryStore, MessageQueue, CheckpointStore, RetentionStore, QuarantineStore, AutoCloseable {
    /** The factory name of this provider, e.g. {@code postgres}. */
    String providerName();

    String taskHubName();

    Set<Capability> capabilities();

    /** Creates (or migrates) the task hub's storage. Idempotent and safe to call from several processes at once. */
    void createTaskHub();

    /**
     * Removes every artifact of this task hub (its retention policies and quarantine records included) and nothing of any other hub in the
     * same store. Idempotent.
     */
    void deleteTaskHub();

    /** Releases connections and threads. Does not delete data. */
    @Override
    void close();
}
