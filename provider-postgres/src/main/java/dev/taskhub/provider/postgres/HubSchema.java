package dev.taskhub.provider.postgres;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import dev.taskhub.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates, migrates and deletes a task hub. Migration runs Flyway on the configured schema under a PostgreSQL
 * advisory lock, so processes that start at the same moment against an empty database migrate one after the other
 * (Flyway's own lock needs its history table, which does not exist yet the very first time).
 */
final class HubSchema {
    private static final Logger log = LoggerFactory.getLogger(HubSchema.class);
    static final String LOCATION = "classpath:db/migration/postgres";
    /** The newest migration in {@link #LOCATION}; bump it with every new migration file. */
    static final String LATEST_VERSION = "2";

    private final Db db;

    HubSchema(Db db) {
        this.db = db;
    }

    void create() {
        PostgresSettings s = db.settings();
        if (!isCurrent()) {
            migrate();
        }
        db.autoCommit("create task hub", c -> {
            try (PreparedStatement ps = c.prepareStatement(db.sql("INSERT INTO {s}hubs (hub) VALUES (?) ON CONFLICT DO NOTHING"))) {
                ps.setString(1, s.taskHub());
                if (ps.executeUpdate() == 1) {
                    log.info("Created task hub '{}' in schema '{}' of {}", s.taskHub(), s.schema(), s.maskedUrl());
                }
            }
            return null;
        });
    }

    /** Whether the schema already has every migration this version ships (then Flyway need not run at all). */
    private boolean isCurrent() {
        return db.autoCommit("check the schema version", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)")) {
                ps.setString(1, "\"" + db.settings().schema() + "\".taskhub_schema_history");
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(db.sql(
                    "SELECT count(*) FROM {s}taskhub_schema_history WHERE success AND version = ?"))) {
                ps.setString(1, LATEST_VERSION);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getInt(1) > 0;
                }
            }
        });
    }

    private void migrate() {
        PostgresSettings s = db.settings();
        // outside the pool: Flyway needs several connections of its own, and a small pool must not starve it
        try (Connection lock = db.directConnection()) {
            try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
                ps.setString(1, "taskhub-migrate:" + s.schema());
                ps.execute();
            }
            try {
                Flyway.configure(HubSchema.class.getClassLoader())
                        .dataSource(s.jdbcUrl(), s.user(), s.password())
                        .schemas(s.schema())
                        .defaultSchema(s.schema())
                        .createSchemas(true)
                        .table("taskhub_schema_history")
                        .locations(LOCATION)
                        .cleanDisabled(true)
                        .load()
                        .migrate();
            } catch (FlywayException e) {
                throw new StorageException("Cannot create or migrate the Taskhub tables in schema '" + s.schema() + "' of "
                        + s.maskedUrl() + ": " + PostgresSettings.mask(String.valueOf(e.getMessage()))
                        + ". Check that the user may create schemas and tables there.", e);
            } finally {
                try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    ps.setString(1, "taskhub-migrate:" + s.schema());
                    ps.execute();
                }
            }
        } catch (SQLException e) {
            throw db.translate("create task hub", e);
        }
    }

    /** Deletes every row of this hub (one statement per table; each index-driven and linear in the hub's size). */
    void delete() {
        PostgresSettings s = db.settings();
        String hub = s.taskHub();
        db.autoCommit("delete task hub", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)")) {
                ps.setString(1, "\"" + s.schema() + "\".hubs");
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) {
                        return null; // nothing was ever created
                    }
                }
            }
            deleteAll(c, "DELETE FROM {s}history WHERE hub = ?", hub);
            deleteAll(c, "DELETE FROM {s}orchestration_messages WHERE hub = ?", hub);
            deleteAll(c, "DELETE FROM {s}activity_messages WHERE hub = ?", hub);
            deleteAll(c, "DELETE FROM {s}instances WHERE hub = ?", hub);
            deleteAll(c, "DELETE FROM {s}waiters WHERE hub = ?", hub);
            try (PreparedStatement ps = c.prepareStatement(db.sql("DELETE FROM {s}hubs WHERE hub = ?"))) {
                ps.setString(1, hub);
                if (ps.executeUpdate() == 1) {
                    log.info("Deleted task hub '{}' from schema '{}' of {}", hub, s.schema(), s.maskedUrl());
                }
            }
            return null;
        });
    }

    private void deleteAll(Connection c, String template, String hub) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(db.sql(template))) {
            ps.setString(1, hub);
            ps.executeUpdate();
        }
    }
}
