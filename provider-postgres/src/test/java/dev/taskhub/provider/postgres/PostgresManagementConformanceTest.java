package dev.taskhub.provider.postgres;

import dev.taskhub.conformance.ManagementConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The shared {@code ManagementConformanceTests} on PostgreSQL. */
class PostgresManagementConformanceTest extends ManagementConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return PostgresTestDatabase.conformanceProvider(taskHubName);
    }
}
