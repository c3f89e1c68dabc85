package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Finds the PostgreSQL server the tests run against: {@code TASKHUB_POSTGRES_URL} (when it answers), else a server on
 * 127.0.0.1:5432 (database {@code test}, user {@code postgres}), else a Testcontainers container when Docker runs.
 * Without any of them the tests are skipped with a loud message (one stderr line, and the build's closing summary), except
 * when {@code TASKHUB_REQUIRE_ALL_PROVIDERS=true}: then they fail.
 */
final class PostgresTestDatabase {
    static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private static String url;
    private static String failure;
    private static PostgreSQLContainer container;
    private static boolean announced;

    private PostgresTestDatabase() {}

    /** The connection string to use; skips (or fails in CI mode) the calling test when no server is found. */
    static synchronized String url() {
        if (url == null && failure == null) {
            discover();
        }
        if (url == null) {
            String message = "No PostgreSQL server for the Taskhub PostgreSQL tests: " + failure
                    + ". Set TASKHUB_POSTGRES_URL, start PostgreSQL on 127.0.0.1:5432 (database 'test', user 'postgres'), or run Docker.";
            if ("true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"))) {
                throw new AssertionError(message + " (TASKHUB_REQUIRE_ALL_PROVIDERS=true, so this is a failure)");
            }
            if (!announced) { // once per test JVM; the build's closing summary repeats it
                System.err.println("SKIPPED: " + message);
                announced = true;
            }
            Assumptions.abort(message);
        }
        return url;
    }

    private static void discover() {
        String env = System.getenv("TASKHUB_POSTGRES_URL");
        if (env != null && !env.isBlank()) {
            // a server named but not answering is a missing server too, named in the skip message
            PostgresSettings s;
            try {
                s = PostgresSettings.from(ProviderConfig.of(env.trim(), "probe"));
            } catch (RuntimeException e) {
                failure = "TASKHUB_POSTGRES_URL is not a usable connection string (" + e.getMessage() + ")";
                return;
            }
            Properties p = props();
            if (s.user() != null) {
                p.setProperty("user", s.user());
            }
            if (s.password() != null) {
                p.setProperty("password", s.password());
            }
            try (Connection ignored = DriverManager.getConnection(s.jdbcUrl(), p)) {
                url = env.trim();
            } catch (SQLException e) {
                failure = "TASKHUB_POSTGRES_URL (" + s.maskedUrl() + ") does not answer (" + PostgresSettings.mask(String.valueOf(e.getMessage())) + ")";
            }
            return;
        }
        try (Connection ignored = DriverManager.getConnection(LOCAL_URL, props())) {
            url = LOCAL_URL;
            return;
        } catch (SQLException e) {
            failure = "nothing answers on 127.0.0.1:5432 (" + e.getMessage() + ")";
        }
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            docker = false;
        }
        if (!docker) {
            failure += "; Docker is not available for Testcontainers";
            return;
        }
        container = new PostgreSQLContainer("postgres:16-alpine");
        container.start();
        url = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?")
                + "user=" + container.getUsername() + "&password=" + container.getPassword();
    }

    private static Properties props() {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "2");
        return p;
    }

    /** A plain JDBC connection to the test database (for assertions and fault injection). */
    static Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    /** A unique task hub name for a test class. */
    static String hubName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    static PostgresStorageProvider provider(String hub) {
        return provider(hub, Map.of());
    }

    static PostgresStorageProvider provider(String hub, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>();
        all.put(PostgresSettings.POOL_SIZE, "4");
        all.putAll(settings);
        return (PostgresStorageProvider) new PostgresStorageProviderFactory().create(new ProviderConfig(url(), hub, all));
    }

    /** A provider for the conformance suite: a short poll interval and a small pool (the suite opens several). */
    static StorageProvider conformanceProvider(String hub) {
        return provider(hub, Map.of(PostgresSettings.POOL_SIZE, "4"));
    }

    /** A provider with its hub created. */
    static PostgresStorageProvider createdProvider(String hub, Map<String, String> settings) {
        PostgresStorageProvider p = provider(hub, settings);
        p.createTaskHub();
        return p;
    }

    static void deleteAndClose(StorageProvider provider) {
        if (provider != null) {
            try {
                provider.deleteTaskHub();
            } finally {
                provider.close();
            }
        }
    }
}
