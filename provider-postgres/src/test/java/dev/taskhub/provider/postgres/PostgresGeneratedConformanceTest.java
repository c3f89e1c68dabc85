package dev.taskhub.provider.postgres;

import dev.taskhub.conformance.generated.GeneratedConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The generated conformance suite (programs, outside actions, faults) on PostgreSQL. */
class PostgresGeneratedConformanceTest extends GeneratedConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return PostgresTestDatabase.conformanceProvider(taskHubName);
    }
}
