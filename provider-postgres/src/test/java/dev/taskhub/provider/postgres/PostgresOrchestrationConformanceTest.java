package dev.taskhub.provider.postgres;

import dev.taskhub.conformance.OrchestrationConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The shared {@code OrchestrationConformanceTests} on PostgreSQL. */
class PostgresOrchestrationConformanceTest extends OrchestrationConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return PostgresTestDatabase.conformanceProvider(taskHubName);
    }
}
