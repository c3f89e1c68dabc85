package dev.taskhub.provider.postgres;

import dev.taskhub.conformance.SpiConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The shared {@code SpiConformanceTests} on PostgreSQL. */
class PostgresSpiConformanceTest extends SpiConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return PostgresTestDatabase.conformanceProvider(taskHubName);
    }
}
