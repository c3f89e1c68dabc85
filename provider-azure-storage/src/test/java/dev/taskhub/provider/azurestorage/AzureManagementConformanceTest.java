package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.ManagementConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The shared Management conformance suite on Azure Storage (Azurite). */
class AzureManagementConformanceTest extends ManagementConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }
}
