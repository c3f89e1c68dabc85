package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.SpiConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The shared Spi conformance suite on Azure Storage (Azurite). */
class AzureSpiConformanceTest extends SpiConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }
}
