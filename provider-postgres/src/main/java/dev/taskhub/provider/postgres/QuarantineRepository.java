package dev.taskhub.provider.postgres;

import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.support.QuarantineRecords;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hub's quarantine records: one row each in {@code quarantine} (migration V6) holding the record's JSON, listed by
 * keyset over the index {@code (hub, quarantined_ns, id)}. Each call is one statement. Thread-safe.
 */
final class QuarantineRepository {
    private final Db db;
    private final String hub;
    private final String put;
    private final String list;
    private final String get;
    private final String delete;

    QuarantineRepository(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.put = db.sql("INSERT INTO {s}quarantine (hub, id, instance_id, kind, quarantined_ns, record) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (hub, id) DO UPDATE SET instance_id = excluded.instance_id, kind = excluded.kind, "
                + "quarantined_ns = excluded.quarantined_ns, record = excluded.record");
        this.list = db.sql("SELECT record FROM {s}quarantine WHERE hub = ? AND (?::text IS NULL OR instance_id = ?) "
                + "AND (?::text IS NULL OR kind = ?) AND (quarantined_ns, id) > (?, ?) ORDER BY quarantined_ns, id LIMIT ?");
        this.get = db.sql("SELECT record FROM {s}quarantine WHERE hub = ? AND id = ?");
        this.delete = db.sql("DELETE FROM {s}quarantine WHERE hub = ? AND id = ?");
    }

    void put(QuarantineRecord record) {
        db.autoCommit("store a quarantine record", c -> {
            try (PreparedStatement ps = c.prepareStatement(put)) {
                ps.setString(1, hub);
                ps.setString(2, record.id());
                ps.setString(3, record.instanceId());
                ps.setString(4, record.kind().name());
                ps.setLong(5, Db.nanos(record.quarantinedAt()));
                ps.setString(6, QuarantineRecords.encode(record));
                return ps.executeUpdate();
            }
        });
    }

    QuarantinePage list(QuarantineQuery query) {
        ContinuationTokens.Position after = query.continuationToken() == null ? null
                : ContinuationTokens.decode(query.continuationToken());
        List<QuarantineRecord> rows = db.autoCommit("list quarantine records", c -> {
            List<QuarantineRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(list)) {
                String kind = query.kind() == null ? null : query.kind().name();
                ps.setString(1, hub);
                ps.setString(2, query.instanceId());
                ps.setString(3, query.instanceId());
                ps.setString(4, kind);
                ps.setString(5, kind);
                ps.setLong(6, after == null ? Long.MIN_VALUE : Db.nanos(after.createdAt()));
                ps.setString(7, after == null ? "" : after.instanceId());
                ps.setInt(8, query.pageSize() + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(QuarantineRecords.decode(rs.getString(1)));
                    }
                }
            }
            return out;
        });
        return QuarantineRecords.pageOf(rows, query.pageSize());
    }

    Optional<QuarantineRecord> get(String id) {
        return db.autoCommit("read a quarantine record", c -> {
            try (PreparedStatement ps = c.prepareStatement(get)) {
                ps.setString(1, hub);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(QuarantineRecords.decode(rs.getString(1))) : Optional.<QuarantineRecord>empty();
                }
            }
        });
    }

    boolean delete(String id) {
        return db.autoCommit("delete a quarantine record", c -> {
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                ps.setString(1, hub);
                ps.setString(2, id);
                return ps.executeUpdate() > 0;
            }
        });
    }
}
