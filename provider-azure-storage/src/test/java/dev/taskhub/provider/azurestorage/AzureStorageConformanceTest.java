package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.StorageProvider;

/** The whole conformance suite on Azure Storage (Azurite, found as {@link AzuriteFixture} says). */
class AzureStorageConformanceTest extends ProviderConformanceSuite {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }

    @Override
    protected String knownGeneratedViolations() {
        return "not yet confirmed at 0 violations (docs/testing.md, 'On Azure Storage'): the causes of the last findings "
                + "(stalls of 60 s after crashes cut checkpoints and receives short; a child rewound twice by a repeated "
                + "rewind episode) are fixed, but the confirming batch runs could not be completed on the overloaded "
                + "development machine; remove this override once a CI-budget batch passes";
    }
}
