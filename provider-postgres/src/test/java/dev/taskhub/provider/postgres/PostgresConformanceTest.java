package dev.taskhub.provider.postgres;

import dev.taskhub.conformance.BackendFaultInjector;
import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.StorageProvider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The whole conformance suite on PostgreSQL (found as {@link PostgresTestDatabase} says). Each provider object gets an
 * application name of its own, so the generated run's backend fault terminates the database sessions of the worker's
 * provider only (its pool and its LISTEN connection), as a database restart or a network cut would.
 */
class PostgresConformanceTest extends ProviderConformanceSuite {
    private final Map<StorageProvider, String> applicationNames = Collections.synchronizedMap(new IdentityHashMap<>());

    @Override
    protected StorageProvider createProvider(String taskHubName) {
        String applicationName = "taskhub-ct-" + UUID.randomUUID().toString().substring(0, 8);
        StorageProvider provider = PostgresTestDatabase.provider(taskHubName,
                Map.of(PostgresSettings.POOL_SIZE, "4", PostgresSettings.APPLICATION_NAME, applicationName));
        applicationNames.put(provider, applicationName);
        return provider;
    }

    @Override
    protected BackendFaultInjector backendFaults() {
        return provider -> {
            String applicationName = applicationNames.get(provider);
            int terminated = terminateSessions(applicationName);
            return terminated == 0 ? null : "terminated " + terminated + " session(s) of " + applicationName;
        };
    }

    private static int terminateSessions(String applicationName) {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     + "WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not terminate the sessions of " + applicationName + ": " + e.getMessage(), e);
        }
    }
}
