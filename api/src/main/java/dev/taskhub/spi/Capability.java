package dev.taskhub.spi;

/**
 * Optional abilities a provider declares through {@link StorageProvider#capabilities()}. The conformance suite skips
 * a test that needs a capability the provider lacks, and says so.
 */
public enum Capability {
    /** State survives a restart of the process (and of the provider object). */
    DURABLE,
    /** Several processes may run workers against the same task hub. */
    MULTI_PROCESS,
    /** A checkpoint is applied in one atomic step (otherwise in an order whose replay is idempotent). */
    ATOMIC_CHECKPOINT
}
