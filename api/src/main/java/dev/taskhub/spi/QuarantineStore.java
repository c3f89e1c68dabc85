package dev.taskhub.spi;

import dev.taskhub.ConfigurationException;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;

import java.util.List;
import java.util.Optional;

/**
 * The task hub's quarantine: poison messages a worker took out of circulation ({@link QuarantineRecord}), kept with the
 * hub until they are replayed or discarded, and removed with their instance by {@link InstanceStore#purgeInstance} (and
 * the other purges) and with the hub by {@link StorageProvider#deleteTaskHub}. Thread-safe.
 *
 * <p>The worker writes a record <em>before</em> it consumes the messages (with the checkpoint that fails the instance,
 * or the activity's {@code PoisonMessage} result), so a crash between the two leaves the record and the messages, and
 * the next delivery writes the same record again: {@link #putQuarantineRecord} replaces a record with the same id.
 *
 * <p>The defaults keep no records: {@link #putQuarantineRecord} refuses with a {@link ConfigurationException} (the worker
 * then logs a warning and dead-letters the messages without keeping them, as before quarantine existed) and the reads
 * find nothing, which is exact for a store that never kept one. Every provider of this repository implements it.
 */
public interface QuarantineStore {
    /** Writes the record, replacing one with the same id. Durable when this returns. */
    default void putQuarantineRecord(QuarantineRecord record) {
        throw new ConfigurationException("This storage provider cannot keep quarantined messages (it does not implement "
                + "QuarantineStore); poison messages are dead-lettered without a record. Upgrade the provider.");
    }

    /**
     * One page of records matching the query's filters (instance id, kind), ordered by ({@code quarantinedAt}, id),
     * starting after the position in the continuation token ({@link ContinuationTokens}: a position only; a malformed
     * token is refused with {@link dev.taskhub.InvalidRequestException}).
     */
    default QuarantinePage listQuarantineRecords(QuarantineQuery query) {
        return new QuarantinePage(List.of(), null);
    }

    /** The record with this id, or empty. */
    default Optional<QuarantineRecord> getQuarantineRecord(String recordId) {
        return Optional.empty();
    }

    /** Deletes the record; returns whether it existed. */
    default boolean deleteQuarantineRecord(String recordId) {
        return false;
    }
}
