package dev.taskhub.benchmarks;

import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where each provider's backend is and how to open it. PostgreSQL: a scratch database {@code taskhub_bench} on
 * 127.0.0.1:5432 (user postgres, trust auth), created when missing; override with {@code --pg-url}. Azure Storage:
 * Azurite ({@code UseDevelopmentStorage=true}); override with {@code --azure-connection}.
 */
final class Backends {
    static final String PG_HOST = System.getenv().getOrDefault("BENCH_PG_HOST", "127.0.0.1");
    static final int PG_PORT = Integer.parseInt(System.getenv().getOrDefault("BENCH_PG_PORT", "5432"));
    static final String PG_USER = System.getenv().getOrDefault("BENCH_PG_USER", "postgres");
    static final String TASKHUB_DB = "taskhub_bench";

    private Backends() {}

    static String normalize(String provider) {
        String p = provider.toLowerCase(Locale.ROOT);
        return switch (p) {
            case "pg", "postgresql", "postgres" -> "postgres";
            case "azure", "azurite", "azure-storage", "azurestorage" -> "azure-storage";
            case "memory", "in-memory", "inmemory" -> "inmemory";
            default -> p;
        };
    }

    static String pgJdbcUrl(String db) {
        return "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + db + "?user=" + PG_USER;
    }

    static String connectionString(String provider, Args args) {
        return switch (provider) {
            case "inmemory" -> "inmemory";
            case "postgres" -> args.get("pg-url", pgJdbcUrl(TASKHUB_DB));
            case "azure-storage" -> args.get("azure-connection", "UseDevelopmentStorage=true");
            default -> args.get("connection", "");
        };
    }

    /** Why the provider cannot run here, or empty when it can. */
    static Optional<String> unavailable(String provider, Args args) {
        boolean found = StorageProviders.available().stream().map(StorageProviderFactory::name).anyMatch(provider::equals);
        if (!found) {
            return Optional.of("provider '" + provider + "' is not on the class path (not merged into this build yet)");
        }
        if (provider.equals("postgres") && !args.has("pg-url") && !reachable(PG_HOST, PG_PORT)) {
            return Optional.of("no PostgreSQL at " + PG_HOST + ":" + PG_PORT);
        }
        if (provider.equals("azure-storage") && !args.has("azure-connection") && !reachable("127.0.0.1", 10001)) {
            return Optional.of("no Azurite at 127.0.0.1:10000-10002 (start it: see docs/performance.md)");
        }
        return Optional.empty();
    }

    static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens the provider for a task hub and creates the hub. The caller closes it. */
    static StorageProvider open(String provider, String hub, Args args) {
        if (provider.equals("postgres") && !args.has("pg-url")) {
            ensureDatabase(TASKHUB_DB, false);
        }
        Map<String, String> settings = new LinkedHashMap<>(args.providerSettings);
        if (provider.equals("postgres")) {
            // 4 episode threads, activity poller and completer, NOTIFY listener, 4 submitters: more than the default 8
            settings.putIfAbsent("taskhub.postgres.poolSize", "16");
        }
        ProviderConfig config = new ProviderConfig(connectionString(provider, args), hub, settings);
        StorageProvider p = StorageProviders.open(provider, config);
        p.createTaskHub();
        return p;
    }

    // ---- PostgreSQL helpers ----------------------------------------------------------------------------------------

    static Connection pg(String db) throws SQLException {
        return DriverManager.getConnection(pgJdbcUrl(db));
    }

    /** Creates the database when it does not exist; with {@code recreate}, drops it first. */
    static void ensureDatabase(String db, boolean recreate) {
        try (Connection c = pg("postgres"); Statement st = c.createStatement()) {
            if (recreate) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            st.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("already exists")) {
                throw new IllegalStateException("Cannot create database " + db + ": " + e.getMessage(), e);
            }
        }
    }

    /** xact_commit and xact_rollback of a database, after the statistics of exited backends are flushed. */
    static long[] xacts(String db) {
        try (Connection c = pg("postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = '" + db + "'")) {
                return rs.next() ? new long[]{rs.getLong(1), rs.getLong(2)} : new long[]{0, 0};
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read pg_stat_database: " + e.getMessage(), e);
        }
    }

    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static String pgVersion() {
        try (Connection c = pg("postgres"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            return rs.next() ? rs.getString(1) : "?";
        } catch (SQLException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
