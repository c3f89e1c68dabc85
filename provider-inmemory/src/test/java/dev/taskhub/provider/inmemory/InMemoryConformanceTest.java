package dev.taskhub.provider.inmemory;

import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

/** The whole conformance suite on the in-memory provider. */
class InMemoryConformanceTest extends ProviderConformanceSuite {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return new InMemoryStorageProviderFactory().create(ProviderConfig.of("inmemory", taskHubName));
    }
}
