package dev.taskhub.provider.inmemory;

import dev.taskhub.conformance.OrchestrationConformanceTests;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

class InMemoryOrchestrationTest extends OrchestrationConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return new InMemoryStorageProviderFactory().create(ProviderConfig.of("inmemory", taskHubName));
    }
}
