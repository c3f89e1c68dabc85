package dev.taskhub.provider.postgres;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import dev.taskhub.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Creates, migrates and deletes a task hub. Migration runs Flyway on the configured schema under a PostgreSQL
 * advisory lock, so processes that start at the same moment against an empty database migrate one after the other
 * (Flyway's own lock needs its history table, which does not exist yet the very first time). Nothing involved waits
 * inside an open transaction while a migration runs, because V3, V5 and V6 build an index concurrently, which waits for every
 * older transaction in the database; see docs/postgres.md (Upgrading).
 */
final class HubSchema {
    private static final Logger log = LoggerFactory.getLogger(HubSchema.class);
    static final String LOCATION = "classpath:db/migration/postgres";
    /** The newest migration in {@link #LOCATION}; bump it with every new migration file. */
    static final String LATEST_VERSION = "6";
    private static final long MIGRATION_LOCK_POLL_MS = 100;

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
            acquire(lock, "taskhub-migrate:" + s.schema());
            try {
                forgetFailedMigrations(lock);
                FluentConfiguration flyway = Flyway.configure(HubSchema.class.getClassLoader());
                if (db.usesApplicationDataSource()) {
                    flyway.dataSource(db.dataSource());
                } else {
                    flyway.dataSource(s.jdbcUrl(), s.user(), s.password());
                }
                flyway.schemas(s.schema())
                        .defaultSchema(s.schema())
                        .createSchemas(true)
                        .table("taskhub_schema_history")
                        .locations(LOCATION)
                        .cleanDisabled(true);
                // a session-level lock instead of one held in an open transaction: CREATE INDEX CONCURRENTLY
                // (migration V3) waits for every older transaction, Flyway's own included
                flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
                flyway.load().migrate();
            } catch (FlywayException e) {
                throw new StorageException("Cannot create or migrate the Taskhub tables in schema '" + s.schema() + "' of "
                        + s.maskedUrl() + ": " + PostgresSettings.mask(String.valueOf(e.getMessage()))
                        + ". Check that the user may create schemas and tables there; createTaskHub() retries the migration.", e);
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

    /**
     * Removes the history rows of failed migrations so that Flyway runs them again instead of refusing to start. A
     * failed row can only come from a migration that runs outside a transaction (a transactional one rolls back and
     * leaves none), and those are written to be re-run safely (see V3).
     */
    private void forgetFailedMigrations(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)")) {
            ps.setString(1, "\"" + db.settings().schema() + "\".taskhub_schema_history");
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(db.sql("DELETE FROM {s}taskhub_schema_history WHERE NOT success RETURNING script"));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                log.warn("Migration {} of schema '{}' failed earlier (interrupted or cancelled); running it again",
                        rs.getString(1), db.settings().schema());
            }
        }
    }

    /**
     * Takes the migration lock, polling {@code pg_try_advisory_lock} rather than waiting in {@code pg_advisory_lock}: a
     * session that waits inside a statement holds a snapshot, and a {@code CREATE INDEX CONCURRENTLY} in the migration
     * it waits for would wait for that snapshot in turn, forever.
     */
    private void acquire(Connection lock, String key) throws SQLException {
        long start = System.nanoTime();
        boolean logged = false;
        try (PreparedStatement ps = lock.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, key);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (!logged && System.nanoTime() - start > 5_000_000_000L) {
                    log.info("Waiting for another process to finish migrating the Taskhub tables in schema '{}' of {}",
                            db.settings().schema(), db.settings().maskedUrl());
                    logged = true;
                }
                try {
                    Thread.sleep(MIGRATION_LOCK_POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("Interrupted while waiting for another process to migrate the Taskhub tables in schema '"
                            + db.settings().schema() + "' of " + db.settings().maskedUrl() + ".", e);
                }
            }
        }
    }

    /** The statements that delete a hub's rows, in order; each is driven by an index whose first column is hub. */
    private static final List<String> HUB_DELETES = List.of(
            "DELETE FROM {s}history WHERE hub = ?",
            "DELETE FROM {s}orchestration_messages WHERE hub = ?",
            "DELETE FROM {s}activity_messages WHERE hub = ?",
            "DELETE FROM {s}instances WHERE hub = ?",
            "DELETE FROM {s}instance_counts WHERE hub = ?",
            "DELETE FROM {s}retention_policies WHERE hub = ?",
            "DELETE FROM {s}quarantine WHERE hub = ?",
            "DELETE FROM {s}waiters WHERE hub = ?");

    /** {@link #HUB_DELETES} for a schema (for tests that check their query plans). */
    static List<String> deleteStatements(String schema) {
        return HUB_DELETES.stream().map(t -> t.replace("{s}", "\"" + schema + "\".")).toList();
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
            for (String template : HUB_DELETES) {
                deleteAll(c, template, hub);
            }
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
