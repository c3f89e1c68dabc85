package dev.taskhub.provider.inmemory;

import dev.taskhub.conformance.generated.GeneratedConformanceTests;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

/** The generated conformance suite (programs, outside actions, faults) on the in-memory provider. */
class InMemoryGeneratedConformanceTest extends GeneratedConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return new InMemoryStorageProviderFactory().create(ProviderConfig.of("inmemory", taskHubName));
    }
}
