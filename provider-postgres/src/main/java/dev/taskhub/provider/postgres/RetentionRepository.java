package dev.taskhub.provider.postgres;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.RetentionPolicy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub's retention policies: one row each in {@code retention_policies} (migration V5), name {@code ''} for the
 * policy that covers every name. Each call is one statement; writes of one (status, name) are last-writer-wins.
 * Thread-safe.
 */
final class RetentionRepository {
    private final Db db;
    private final String hub;
    private final String list;
    private final String put;
    private final String remove;

    RetentionRepository(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.list = db.sql("SELECT status, name, older_than_ms FROM {s}retention_policies WHERE hub = ?");
        this.put = db.sql("INSERT INTO {s}retention_policies (hub, status, name, older_than_ms) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (hub, status, name) DO UPDATE SET older_than_ms = excluded.older_than_ms");
        this.remove = db.sql("DELETE FROM {s}retention_policies WHERE hub = ? AND status = ? AND name = ?");
    }

    List<RetentionPolicy> list() {
        List<RetentionPolicy> policies = db.autoCommit("read the retention policies", c -> {
            List<RetentionPolicy> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(list)) {
                ps.setString(1, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(2);
                        rows.add(new RetentionPolicy(RuntimeStatus.valueOf(rs.getString(1)), name.isEmpty() ? null : name,
                                Duration.ofMillis(rs.getLong(3))));
                    }
                }
            }
            return rows;
        });
        policies.sort(RetentionPolicy.ORDER);
        return policies;
    }

    void put(RetentionPolicy policy) {
        db.autoCommit("store a retention policy", c -> {
            try (PreparedStatement ps = c.prepareStatement(put)) {
                ps.setString(1, hub);
                ps.setString(2, policy.status().name());
                ps.setString(3, policy.name().orElse(""));
                ps.setLong(4, policy.olderThan().toMillis());
                return ps.executeUpdate();
            }
        });
    }

    boolean remove(RuntimeStatus status, String orchestrationName) {
        return db.autoCommit("remove a retention policy", c -> {
            try (PreparedStatement ps = c.prepareStatement(remove)) {
                ps.setString(1, hub);
                ps.setString(2, status.name());
                ps.setString(3, orchestrationName == null ? "" : orchestrationName);
                return ps.executeUpdate() > 0;
            }
        });
    }
}
