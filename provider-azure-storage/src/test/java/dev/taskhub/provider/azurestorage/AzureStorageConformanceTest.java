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
        return "open findings on Azure Storage with a crashed worker every 3 s (docs/testing.md, 'Open findings'): about 3 of "
                + "120 programs either do not finish within 60 s after a crash interrupted a checkpoint (waiting on a "
                + "sub-orchestration's completion or a first activity), or end FAILED with a stored history that replays "
                + "as RUNNING";
    }
}
