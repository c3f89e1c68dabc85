package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.generated.GeneratedConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The generated conformance suite (programs, outside actions, faults) on Azure Storage (Azurite). */
class AzureGeneratedConformanceTest extends GeneratedConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }
}
