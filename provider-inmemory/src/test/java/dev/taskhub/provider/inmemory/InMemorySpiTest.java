package dev.taskhub.provider.inmemory;

import dev.taskhub.conformance.SpiConformanceTests;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

class InMemorySpiTest extends SpiConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return new InMemoryStorageProviderFactory().create(ProviderConfig.of("inmemory", taskHubName));
    }
}
