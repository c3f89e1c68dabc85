package dev.taskhub.provider.inmemory;

import dev.taskhub.conformance.ManagementConformanceTests;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

class InMemoryManagementTest extends ManagementConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return new InMemoryStorageProviderFactory().create(ProviderConfig.of("inmemory", taskHubName));
    }
}
