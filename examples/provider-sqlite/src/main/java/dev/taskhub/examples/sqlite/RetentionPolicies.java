package dev.taskhub.examples.sqlite;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.RetentionPolicy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static dev.taskhub.examples.sqlite.Database.query;
import static dev.taskhub.examples.sqlite.Database.update;

/** The hub's retention policies: one row each in {@code retention_policies}, name {@code ''} for every name. */
final class RetentionPolicies {
    private final Database db;
    private final String hub;

    RetentionPolicies(Database db, String hub) {
        this.db = db;
        this.hub = hub;
    }

    List<RetentionPolicy> list() {
        return db.read(c -> query(c, "SELECT status, name, older_than_ms FROM retention_policies WHERE hub = ?",
                r -> new RetentionPolicy(RuntimeStatus.valueOf(r.getString(1)), r.getString(2).isEmpty() ? null : r.getString(2),
                        Duration.ofMillis(r.getLong(3))), hub))
                .stream().sorted(RetentionPolicy.ORDER).toList();
    }

    void put(RetentionPolicy policy) {
        db.write(c -> update(c, "INSERT INTO retention_policies (hub, status, name, older_than_ms) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (hub, status, name) DO UPDATE SET older_than_ms = excluded.older_than_ms",
                hub, policy.status().name(), policy.name().orElse(""), policy.olderThan().toMillis()));
    }

    boolean remove(RuntimeStatus status, String orchestrationName) {
        return db.write(c -> update(c, "DELETE FROM retention_policies WHERE hub = ? AND status = ? AND name = ?", hub,
                status.name(), orchestrationName == null ? "" : orchestrationName)) > 0;
    }

    /** Deletes the hub's policies, inside the caller's transaction (deleting the hub). */
    void deleteAll(Connection c) throws SQLException {
        update(c, "DELETE FROM retention_policies WHERE hub = ?", hub);
    }
}
