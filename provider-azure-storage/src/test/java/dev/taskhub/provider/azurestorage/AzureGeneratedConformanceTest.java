package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.generated.GeneratedConformanceTests;
import dev.taskhub.spi.StorageProvider;

/** The generated conformance suite (programs, outside actions, faults) on Azure Storage (Azurite). */
class AzureGeneratedConformanceTest extends GeneratedConformanceTests {
    @Override
    protected StorageProvider createProvider(String taskHubName) {
        return AzuriteFixture.provider(taskHubName);
    }

    @Override
    protected String knownViolations() {
        return "with crashed workers every 3 s, instances stall past the 60 s bound (partition/lease takeover after a "
                + "crash), a stored FAILED instance's history replays as RUNNING (non-atomic checkpoint under a lost lock), "
                + "and a redelivered start message restarts a finished sub-orchestration — see docs/testing.md, "
                + "'Open findings' (Azure fencing, lease renewal and duplicate suppression are being fixed separately)";
    }
}
