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

    @Override
    protected String knownGeneratedViolations() {
        return "not yet confirmed at 0 violations (docs/testing.md, 'On Azure Storage'): the causes of the last findings "
                + "(stalls of 60 s after crashes cut checkpoints and receives short; a child rewound twice by a repeated "
                + "rewind episode) are fixed, but the confirming batch runs could not be completed on the overloaded "
                + "development machine; remove this override once a CI-budget batch passes";
    }
}
