package dev.taskhub.provider.azurestorage;

/**
 * Points inside a checkpoint or a start where tests inject failures or a concurrent writer (a partition moving to
 * another worker mid-commit). Package-private; the provider's default does nothing.
 */
interface TestHooks {
    TestHooks NONE = new TestHooks() {};

    /** Before history batch {@code batch} (0-based) of {@code batches} of a checkpoint of the instance is submitted. */
    default void beforeHistoryBatch(String instanceId, int batch, int batches) {}

    /** After a checkpoint's history is committed, before its instance row is written. */
    default void beforeInstanceRow(String instanceId) {}

    /** Before the start message of a new instance is sent; throwing simulates a failed send. */
    default void beforeStartSend(String instanceId) {}

    /** Before the row of an instance whose start message could not be sent is removed; throwing simulates a failure. */
    default void beforeStartRollback(String instanceId) {}
}
