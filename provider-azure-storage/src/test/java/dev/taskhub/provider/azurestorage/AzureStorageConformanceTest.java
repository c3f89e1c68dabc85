package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.StorageProvider;

/** The whole conformance suite on Azure Storage (Azurite, found as {@link AzuriteFixture} says). */
class AzureStorageConformanceTest extends ProviderConformanceSuite {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }
}
