package dev.taskhub.provider.azurestorage;

import dev.taskhub.conformance.BackendFaultInjector;
import dev.taskhub.conformance.ProviderConformanceSuite;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The whole conformance suite on Azure Storage (Azurite, found as {@link AzuriteFixture} says). Every provider object
 * carries a {@link RequestFaultPolicy}; the generated run's backend fault arms it to fail the next request attempt
 * of the worker's provider (one time in twenty the next seven) with 503 or a timeout.
 */
class AzureStorageConformanceTest extends ProviderConformanceSuite {
    private final Map<StorageProvider, RequestFaultPolicy> faults = Collections.synchronizedMap(new IdentityHashMap<>());

    @Override
    protected StorageProvider createProvider(String taskHubName) {
        RequestFaultPolicy policy = new RequestFaultPolicy();
        StorageProvider provider = new AzureStorageProvider(
                new ProviderConfig(AzuriteFixture.connectionString(), taskHubName, AzuriteFixture.fastSettings()), policy);
        faults.put(provider, policy);
        return provider;
    }

    @Override
    protected BackendFaultInjector backendFaults() {
        return provider -> {
            RequestFaultPolicy policy = faults.get(provider);
            // mostly one failed attempt, which the SDK's retry absorbs; now and then an outage long enough to use up
            // one request's retries (7 attempts, about 13 s of back-off), which the provider and worker must survive
            int requests = ThreadLocalRandom.current().nextInt(20) == 0 ? 7 : 1;
            return policy.arm(requests) ? "armed " + requests + " failed request(s)" : null;
        };
    }

    /** Fewer than the default: every storage request goes over HTTP to Azurite, and CI machines have been slow. */
    @Override
    protected int generatedProgramsPerBuild() {
        return 100;
    }
}
