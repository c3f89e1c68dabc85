package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.OrchestrationConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The shared Orchestration conformance suite on Azure Storage (Azurite). */
class AzureOrchestrationConformanceTest extends OrchestrationConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }
}
