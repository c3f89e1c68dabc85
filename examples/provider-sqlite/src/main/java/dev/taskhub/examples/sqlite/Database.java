package dev.taskhub.examples.sqlite;

import dev.taskhub.ConfigurationException;
import dev.taskhub.FailureDetails;
import dev.taskhub.StorageException;
import dev.taskhub.convert.HistoryCodec;
import dev.taskhub.history.HistoryEvent;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One provider object's connection to the SQLite file, with transactions, the schema, and the conversions every store
 * needs. Thread-safe: calls are serialised on the connection. Write transactions are {@code BEGIN IMMEDIATE}, so
 * writers of all connections and processes take turns (waiting up to the busy timeout); readers never wait (WAL).
 */
final class Database implements AutoCloseable {
    /** Tables of all hubs in the file; every row carries its hub's name. */
    static final List<String> TABLES = List.of("instances", "history", "orchestration_messages", "instance_locks",
            "activity_messages", "quarantine");

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS instances (hub TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL, "
                    + "version TEXT, execution_id TEXT, status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT, "
                    + "failure_details TEXT, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL, scheduled_ns INTEGER, "
                    + "parent_instance_id TEXT, history_version INTEGER NOT NULL, PRIMARY KEY (hub, instance_id))",
            "CREATE INDEX IF NOT EXISTS instances_by_created ON instances (hub, created_ns, instance_id)",
            // retention's bounded purge: finished instances of one status by the time they finished
            "CREATE INDEX IF NOT EXISTS instances_by_status_updated ON instances (hub, status, updated_ns)",
            // one row per policy; name '' is the policy that covers every name
            "CREATE TABLE IF NOT EXISTS retention_policies (hub TEXT NOT NULL, status TEXT NOT NULL, name TEXT NOT NULL, "
                    + "older_than_ms INTEGER NOT NULL, PRIMARY KEY (hub, status, name))",
            "CREATE TABLE IF NOT EXISTS history (hub TEXT NOT NULL, instance_id TEXT NOT NULL, seq INTEGER NOT NULL, "
                    + "event TEXT NOT NULL, PRIMARY KEY (hub, instance_id, seq))",
            // lock_token: the lock that last delivered the message; a checkpoint deletes exactly the messages of its lock
            "CREATE TABLE IF NOT EXISTS orchestration_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, hub TEXT NOT NULL, "
                    + "instance_id TEXT NOT NULL, message_id TEXT NOT NULL, execution_id TEXT, event TEXT NOT NULL, "
                    + "visible_ns INTEGER NOT NULL, deliveries INTEGER NOT NULL DEFAULT 0, lock_token TEXT)",
            "CREATE INDEX IF NOT EXISTS orchestration_messages_by_time ON orchestration_messages (hub, visible_ns)",
            "CREATE INDEX IF NOT EXISTS orchestration_messages_by_instance ON orchestration_messages (hub, instance_id, seq)",
            // one row per locked instance; a NULL token (an abandon with a delay) only hides the instance until then
            "CREATE TABLE IF NOT EXISTS instance_locks (hub TEXT NOT NULL, instance_id TEXT NOT NULL, lock_token TEXT, "
                    + "locked_until_ns INTEGER NOT NULL, PRIMARY KEY (hub, instance_id))",
            // a locked activity is invisible until its lease ends: visible_ns doubles as the lease expiry
            "CREATE TABLE IF NOT EXISTS activity_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, hub TEXT NOT NULL, "
                    + "instance_id TEXT NOT NULL, message_id TEXT NOT NULL, execution_id TEXT, task_id INTEGER NOT NULL, "
                    + "name TEXT NOT NULL, input TEXT, visible_ns INTEGER NOT NULL, deliveries INTEGER NOT NULL DEFAULT 0, "
                    + "lock_token TEXT)",
            "CREATE INDEX IF NOT EXISTS activity_messages_by_time ON activity_messages (hub, visible_ns)",
            // poison messages kept by the workers: the record's JSON, with what listing and purging need beside it
            "CREATE TABLE IF NOT EXISTS quarantine (hub TEXT NOT NULL, id TEXT NOT NULL, instance_id TEXT NOT NULL, "
                    + "kind TEXT NOT NULL, quarantined_ns INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (hub, id))",
            "CREATE INDEX IF NOT EXISTS quarantine_listed ON quarantine (hub, quarantined_ns, id)",
            "CREATE INDEX IF NOT EXISTS quarantine_by_instance ON quarantine (hub, instance_id)");

    /** Wakes waiting lock calls of every provider object on the same file in this JVM; other processes poll. */
    private static final Map<String, Signal> SIGNALS = new ConcurrentHashMap<>();

    /** A unit of work on the connection. */
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Maps the current row of a result set. */
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final String file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Signal signal;

    private Database(String file, Connection connection) {
        this.file = file;
        this.connection = connection;
        this.signal = SIGNALS.computeIfAbsent(Path.of(file).toAbsolutePath().normalize().toString(), f -> new Signal());
    }

    /** Opens the file (creating it when absent) in WAL mode with full durability. */
    static Database open(String file, Duration busyTimeout) {
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = FULL");
            }
            return new Database(file, connection);
        } catch (SQLException e) {
            throw new ConfigurationException("Cannot open the SQLite database '" + file + "': " + e.getMessage()
                    + ". Check that the folder exists and is writable.", e);
        }
    }

    /** Creates the tables if they do not exist yet; safe from several processes at once. */
    void createSchema() {
        write(c -> {
            for (String ddl : SCHEMA) {
                update(c, ddl);
            }
            return null;
        });
    }

    /** Whether the schema exists (an unused file has none). */
    boolean hasSchema(Connection c) throws SQLException {
        return !query(c, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instances'", r -> 1).isEmpty();
    }

    /** Runs reads outside a transaction (each statement sees a consistent snapshot). */
    <T> T read(Work<T> work) {
        return run(work, false, false);
    }

    /** Runs work in one write transaction: all of it or nothing. */
    <T> T write(Work<T> work) {
        return run(work, true, false);
    }

    /** As {@link #write}, then wakes lock calls waiting for messages, because the work enqueued or released some. */
    <T> T writeAndWake(Work<T> work) {
        return run(work, true, true);
    }

    private <T> T run(Work<T> work, boolean transaction, boolean wake) {
        lock.lock();
        try {
            if (!transaction) {
                return work.run(connection);
            }
            update(connection, "BEGIN IMMEDIATE");
            T result;
            try {
                result = work.run(connection);
                update(connection, "COMMIT");
            } catch (Throwable t) {
                try {
                    update(connection, "ROLLBACK");
                } catch (SQLException rollbackFailure) {
                    t.addSuppressed(rollbackFailure);
                }
                throw t;
            }
            if (wake) {
                signal.fire();
            }
            return result;
        } catch (SQLException e) {
            String hint = String.valueOf(e.getMessage()).contains("no such table")
                    ? " The task hub's tables do not exist yet: call createTaskHub() first." : "";
            throw new StorageException("SQLite failed on '" + file + "': " + e.getMessage() + "." + hint, e);
        } finally {
            lock.unlock();
        }
    }

    Signal signal() {
        return signal;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StorageException("Cannot close the SQLite database '" + file + "': " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    // ---- statements --------------------------------------------------------------------------------------------------

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    // ---- conversions -------------------------------------------------------------------------------------------------

    /** Times are stored as nanoseconds since the epoch, so they order and compare exactly. */
    static Long nanos(Instant time) {
        return time == null ? null : time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        long nanos = row.getLong(column);
        return row.wasNull() ? null : Instant.ofEpochSecond(0, nanos);
    }

    /** History events and failure details are stored in the format every Taskhub provider uses. */
    static String json(HistoryEvent event) {
        return event == null ? null : HistoryCodec.encode(event);
    }

    static String json(FailureDetails details) {
        return HistoryCodec.encodeFailure(details);
    }

    static HistoryEvent event(String json) {
        return json == null ? null : HistoryCodec.decode(json);
    }

    static FailureDetails failure(String json) {
        return HistoryCodec.decodeFailure(json);
    }

    /** A version counter to wait on: a waiter that saw version v returns as soon as it changes. */
    static final class Signal {
        private long version;

        synchronized long version() {
            return version;
        }

        synchronized void fire() {
            version++;
            notifyAll();
        }

        /** Waits until the version moves past {@code seen} or the time is up; false when interrupted. */
        synchronized boolean await(long seen, long nanos) {
            long deadline = System.nanoTime() + nanos;
            try {
                for (long left = nanos; version == seen && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
