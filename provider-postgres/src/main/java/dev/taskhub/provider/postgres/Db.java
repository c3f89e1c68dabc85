package dev.taskhub.provider.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.taskhub.ConfigurationException;
import dev.taskhub.StorageException;
import dev.taskhub.TaskhubException;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.sql.ResultSet;
import java.sql.Types;

/**
 * The connection pool plus helpers: schema-qualified SQL, transactions with retry on deadlock, and translation of
 * {@link SQLException} into Taskhub exceptions with masked URLs. Thread-safe.
 */
final class Db implements AutoCloseable {
    /** A unit of work inside one transaction. */
    @FunctionalInterface
    interface TxWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final PostgresSettings settings;
    /** Where pooled connections come from: the pool this object owns, or the application's data source. */
    private final DataSource dataSource;
    /** The pool this object opened and closes; null when the connections come from the application's data source. */
    private final HikariDataSource ownedPool;
    /** Whether the connections come from the application's data source. */
    private final boolean external;
    private final String schemaPrefix;

    /** Opens a pool of its own for the settings' JDBC URL. */
    Db(PostgresSettings settings) {
        this.settings = settings;
        this.external = false;
        this.schemaPrefix = "\"" + settings.schema() + "\".";
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(settings.jdbcUrl());
        if (settings.user() != null) {
            hc.setUsername(settings.user());
        }
        if (settings.password() != null) {
            hc.setPassword(settings.password());
        }
        hc.setPoolName("taskhub-postgres-" + settings.taskHub());
        hc.setMaximumPoolSize(settings.poolSize());
        hc.setMinimumIdle(Math.min(2, settings.poolSize()));
        hc.setConnectionTimeout(settings.connectTimeout().toMillis());
        hc.setValidationTimeout(Math.min(settings.connectTimeout().toMillis(), 3000));
        // connect once up front for a precise error; the pool itself then never fails at start-up
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        // named, not learned from the first connection: a first connection that breaks while the pool sets it up
        // (a terminated session) would otherwise leave the pool asking every later connection for isolation level -1
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hc.addDataSourceProperty("ApplicationName", settings.applicationName());
        hc.addDataSourceProperty("connectTimeout", Math.max(1, settings.connectTimeout().toSeconds()));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("prepareThreshold", "1");
        try (Connection probe = directConnection()) {
            probe.isValid(1);
        } catch (SQLException e) {
            throw connectFailure(settings, e);
        }
        try {
            this.ownedPool = new HikariDataSource(hc);
            this.dataSource = ownedPool;
        } catch (HikariPool.PoolInitializationException e) {
            throw connectFailure(settings, e.getCause() != null ? e.getCause() : e);
        } catch (RuntimeException e) {
            throw new ConfigurationException("Cannot open a PostgreSQL connection pool for '" + settings.maskedUrl()
                    + "': " + PostgresSettings.mask(String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * Takes every connection from the application's data source, which it neither configures nor closes: the pooled
     * ones, and those the listener and the migrations hold (the pool must have room for them). The settings' pool
     * size, user and password are not used.
     */
    Db(PostgresSettings settings, DataSource applicationDataSource) {
        this.settings = settings;
        this.schemaPrefix = "\"" + settings.schema() + "\".";
        this.dataSource = applicationDataSource;
        this.ownedPool = null;
        this.external = true;
    }

    static TaskhubException connectFailure(PostgresSettings settings, Throwable cause) {
        String state = cause instanceof SQLException sql ? sql.getSQLState() : null;
        String detail = PostgresSettings.mask(String.valueOf(cause.getMessage()));
        if (state != null && (state.startsWith("28") || state.equals("3D000"))) {
            return new ConfigurationException("PostgreSQL at '" + settings.maskedUrl() + "' refused the connection"
                    + (settings.user() != null ? " for user '" + settings.user() + "'" : "") + ": " + detail
                    + ". Check the user, password and database name in the connection string.", cause);
        }
        return new StorageException("Cannot connect to PostgreSQL at '" + settings.maskedUrl() + "': " + detail
                + ". Check that the server is running and reachable, and the host and port in the connection string.", cause);
    }

    /** Whether the connections come from the application's data source rather than a pool of this provider's own. */
    boolean usesApplicationDataSource() {
        return external;
    }

    /** The data source the pooled connections come from. */
    DataSource dataSource() {
        return dataSource;
    }

    PostgresSettings settings() {
        return settings;
    }

    /** Replaces {@code {s}} in a SQL template with the quoted schema name and a dot. */
    String sql(String template) {
        return template.replace("{s}", schemaPrefix);
    }

    Connection connection() {
        try {
            Connection c = dataSource.getConnection();
            return external ? autoCommitting(c) : c;
        } catch (SQLException e) {
            throw translate("get a connection", e);
        }
    }

    /**
     * A new connection outside the pool (for migrations and the listener); the caller closes it. With the application's
     * data source, a connection of that data source.
     */
    Connection directConnection() throws SQLException {
        if (external) {
            return autoCommitting(dataSource.getConnection());
        }
        java.util.Properties props = new java.util.Properties();
        if (settings.user() != null) {
            props.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        props.setProperty("ApplicationName", settings.applicationName());
        props.setProperty("connectTimeout", String.valueOf(Math.max(1, settings.connectTimeout().toSeconds())));
        props.setProperty("tcpKeepAlive", "true");
        return java.sql.DriverManager.getConnection(settings.jdbcUrl(), props);
    }

    /**
     * The application's connection in auto-commit mode, which the statements here expect outside
     * {@link #inTransaction} (a LISTEN in an open transaction would never take effect, and an idle open transaction
     * would block the migrations' CREATE INDEX CONCURRENTLY). The application's pool restores its own default when the
     * connection returns.
     */
    private static Connection autoCommitting(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            try {
                c.setAutoCommit(true);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** Runs {@code work} in one transaction, retrying a few times on deadlock or serialization failure. */
    <T> T inTransaction(String what, TxWork<T> work) {
        int attempt = 0;
        while (true) {
            attempt++;
            try (Connection c = connection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    resetQuietly(c);
                }
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (attempt < 5 && ("40P01".equals(state) || "40001".equals(state))) {
                    continue;
                }
                throw translate(what, e);
            }
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    <T> T autoCommit(String what, TxWork<T> work) {
        try (Connection c = connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    private static void resetQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    StorageException translate(String what, SQLException e) {
        String state = e.getSQLState();
        String message = PostgresSettings.mask(String.valueOf(e.getMessage()));
        if ("42P01".equals(state) || "3F000".equals(state) || "42883".equals(state)) {
            return new StorageException("Cannot " + what + ": the tables of task hub '" + settings.taskHub()
                    + "' do not exist in schema '" + settings.schema() + "' of " + settings.maskedUrl()
                    + ". Call createTaskHub() (or 'taskhub create-hub') first. (" + message + ")", e);
        }
        return new StorageException("PostgreSQL failed to " + what + " for task hub '" + settings.taskHub() + "' at "
                + settings.maskedUrl() + " [SQLState " + state + "]: " + message
                + (state != null && state.startsWith("08") ? ". The connection was lost; the call can be retried." : ""), e);
    }

    /**
     * Prefix for statements whose commit need not wait for the WAL flush: taking, renewing or releasing a lease and
     * advertising a waiter. Losing such a commit in a server crash only makes an item visible again (redelivery, which
     * the engine tolerates); every commit that changes history, state or messages stays synchronous, and flushing it
     * also flushes the earlier lease records.
     */
    static final String ASYNC_COMMIT = "SELECT set_config('synchronous_commit', 'off', true);\n";

    /** Executes a statement prefixed with {@link #ASYNC_COMMIT} (in auto-commit mode) and returns its own result set. */
    static ResultSet queryAfterPrefix(PreparedStatement ps) throws SQLException {
        ps.execute();
        if (!ps.getMoreResults()) {
            throw new SQLException("Expected a result set after the synchronous_commit prefix");
        }
        return ps.getResultSet();
    }

    /** Executes a statement prefixed with {@link #ASYNC_COMMIT}; returns its update count. */
    static int updateAfterPrefix(PreparedStatement ps) throws SQLException {
        ps.execute();
        ps.getMoreResults();
        return ps.getUpdateCount();
    }

    // ---- parameter helpers ----

    static Array textArray(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    static Array longArray(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("int8", values);
    }

    static Array intArray(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("int4", values);
    }

    static Array boolArray(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("bool", values);
    }

    /** Epoch microseconds of an instant, or null. */
    static Long micros(Instant instant) {
        if (instant == null) {
            return null;
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    /** Epoch nanoseconds of an instant (exact for years 1678..2262), or null. */
    static Long nanos(Instant instant) {
        if (instant == null) {
            return null;
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    static void setNanos(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, nanos(value));
        }
    }

    static Instant getNanos(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
    }

    static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    /** Closes the pool this object opened; leaves the application's data source open. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }
}
