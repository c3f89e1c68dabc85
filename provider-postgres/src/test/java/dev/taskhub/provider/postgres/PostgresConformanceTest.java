package dev.taskhub.provider.postgres;

import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.StorageProvider;

/** The whole conformance suite on PostgreSQL (found as {@link PostgresTestDatabase} says). */
class PostgresConformanceTest extends ProviderConformanceSuite {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return PostgresTestDatabase.conformanceProvider(taskHubName);
    }
}
