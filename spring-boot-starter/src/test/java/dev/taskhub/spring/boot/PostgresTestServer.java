package dev.taskhub.spring.boot;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The PostgreSQL server of the starter's tests, found as the provider's own tests find it: {@code TASKHUB_POSTGRES_URL},
 * else 127.0.0.1:5432 (database {@code test}, user {@code postgres}). Without one the tests are skipped with a loud
 * message, or fail when {@code TASKHUB_REQUIRE_ALL_PROVIDERS=true}.
 */
final class PostgresTestServer {
    static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private PostgresTestServer() {}

    /** A JDBC URL that answers; skips (or fails in CI mode) the calling test when none does. */
    static String jdbcUrl() {
        String env = System.getenv("TASKHUB_POSTGRES_URL");
        String url = env != null && env.startsWith("jdbc:postgresql:") ? env.trim() : LOCAL_URL;
        Properties p = new Properties();
        p.setProperty("connectTimeout", "2");
        try (Connection ignored = DriverManager.getConnection(url, p)) {
            return url;
        } catch (SQLException e) {
            String message = "No PostgreSQL server for the Spring Boot starter's PostgreSQL tests (" + e.getMessage()
                    + "). Set TASKHUB_POSTGRES_URL (jdbc:postgresql://...) or start PostgreSQL on 127.0.0.1:5432.";
            if ("true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"))) {
                throw new AssertionError(message + " (TASKHUB_REQUIRE_ALL_PROVIDERS=true, so this is a failure)");
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
            return null;
        }
    }
}
