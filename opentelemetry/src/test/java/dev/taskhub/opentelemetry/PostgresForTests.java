package dev.taskhub.opentelemetry;

import dev.taskhub.provider.postgres.PostgresStorageProviderFactory;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.Assumptions;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The PostgreSQL server of the tests: {@code TASKHUB_POSTGRES_URL}, else 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}). Without one the test is skipped with a message, or fails when {@code TASKHUB_REQUIRE_ALL_PROVIDERS=true}.
 */
final class PostgresForTests {
    private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private PostgresForTests() {}

    static String url() {
        String env = System.getenv("TASKHUB_POSTGRES_URL");
        String url = env != null && !env.isBlank() ? env.trim() : LOCAL_URL;
        if (url.startsWith("jdbc:")) {
            try (var ignored = DriverManager.getConnection(url)) {
                return url;
            } catch (SQLException e) {
                String message = "No PostgreSQL server for the tracing test at " + (env != null ? "TASKHUB_POSTGRES_URL" : LOCAL_URL)
                        + " (" + e.getMessage() + "). Set TASKHUB_POSTGRES_URL or start PostgreSQL on 127.0.0.1:5432.";
                if ("true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"))) {
                    throw new AssertionError(message);
                }
                System.err.println("SKIPPED: " + message);
                Assumptions.abort(message);
            }
        }
        return url;
    }

    static String hubName() {
        return "otel_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /** A provider with a small pool (the server's connections are shared). */
    static StorageProvider provider(String url, String hub) {
        return new PostgresStorageProviderFactory().create(new ProviderConfig(url, hub, Map.of("taskhub.postgres.poolSize", "3")));
    }
}
