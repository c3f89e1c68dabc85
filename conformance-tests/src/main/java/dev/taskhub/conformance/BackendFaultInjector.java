package dev.taskhub.conformance;

import dev.taskhub.spi.StorageProvider;

/**
 * Faults only a provider's own backend can have, for the generated conformance run: a PostgreSQL provider's database
 * sessions terminated, a share of an Azure Storage provider's requests failed. A provider module returns one from
 * {@link ProviderConformanceSuite#backendFaults()}; while the generated programs run, the suite calls
 * {@link #inject(StorageProvider)} about once a second on the worker's own provider object and counts what it did.
 *
 * <p>The provider must recover by itself: the worker keeps running, and every program must still end as the reference
 * model says. An activity whose result a fault may have lost is allowed to run again, as after a crash.
 */
@FunctionalInterface
public interface BackendFaultInjector {
    /**
     * Injects one fault into the backend as seen by {@code provider}, an object the suite made with
     * {@code createProvider} for the worker only (never the object the test's client uses).
     *
     * @return what was done, for the report (for example {@code "terminated 3 sessions"}), or null when there was
     *         nothing to disrupt
     */
    String inject(StorageProvider provider);
}
