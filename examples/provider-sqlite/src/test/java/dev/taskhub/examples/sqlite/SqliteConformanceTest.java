package dev.taskhub.examples.sqlite;

import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

/** The whole Taskhub conformance suite on the SQLite provider. Every test uses its own hub in one shared file. */
class SqliteConformanceTest extends ProviderConformanceSuite {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return new SqliteStorageProviderFactory().create(ProviderConfig.of("jdbc:sqlite:target/conformance.db", taskHubName));
    }
}
