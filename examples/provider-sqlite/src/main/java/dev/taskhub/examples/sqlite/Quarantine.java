package dev.taskhub.examples.sqlite;

import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.support.QuarantineRecords;

import java.util.List;
import java.util.Optional;

import static dev.taskhub.examples.sqlite.Database.nanos;
import static dev.taskhub.examples.sqlite.Database.query;
import static dev.taskhub.examples.sqlite.Database.update;

/**
 * The hub's quarantine records: one row each in {@code quarantine} with the record's JSON, listed by keyset over
 * (quarantined_ns, id). Purging an instance and deleting the hub remove its rows with the other tables' rows.
 */
final class Quarantine {
    private final Database db;
    private final String hub;

    Quarantine(Database db, String hub) {
        this.db = db;
        this.hub = hub;
    }

    void put(QuarantineRecord record) {
        db.write(c -> update(c, "INSERT INTO quarantine (hub, id, instance_id, kind, quarantined_ns, record) VALUES (?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (hub, id) DO UPDATE SET instance_id = excluded.instance_id, kind = excluded.kind, "
                        + "quarantined_ns = excluded.quarantined_ns, record = excluded.record",
                hub, record.id(), record.instanceId(), record.kind().name(), nanos(record.quarantinedAt()),
                QuarantineRecords.encode(record)));
    }

    QuarantinePage list(QuarantineQuery q) {
        ContinuationTokens.Position after = q.continuationToken() == null ? null : ContinuationTokens.decode(q.continuationToken());
        String kind = q.kind() == null ? null : q.kind().name();
        List<QuarantineRecord> rows = db.read(c -> query(c, "SELECT record FROM quarantine WHERE hub = ? "
                        + "AND (? IS NULL OR instance_id = ?) AND (? IS NULL OR kind = ?) "
                        + "AND (quarantined_ns > ? OR (quarantined_ns = ? AND id > ?)) ORDER BY quarantined_ns, id LIMIT ?",
                r -> QuarantineRecords.decode(r.getString(1)), hub, q.instanceId(), q.instanceId(), kind, kind,
                after == null ? Long.MIN_VALUE : nanos(after.createdAt()), after == null ? Long.MIN_VALUE : nanos(after.createdAt()),
                after == null ? "" : after.instanceId(), q.pageSize() + 1));
        return QuarantineRecords.pageOf(rows, q.pageSize());
    }

    Optional<QuarantineRecord> get(String id) {
        return db.read(c -> query(c, "SELECT record FROM quarantine WHERE hub = ? AND id = ?",
                r -> QuarantineRecords.decode(r.getString(1)), hub, id)).stream().findFirst();
    }

    boolean delete(String id) {
        return db.write(c -> update(c, "DELETE FROM quarantine WHERE hub = ? AND id = ?", hub, id)) > 0;
    }
}
