package dev.taskhub.conformance;

import dev.taskhub.conformance.generated.GeneratedConformanceTests;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.Nested;

/**
 * The whole conformance suite for one provider: a provider module writes one subclass that implements
 * {@link #createProvider(String)}, and JUnit runs every group of the suite as a nested class of it.
 *
 * <pre>{@code
 * class MyDbConformanceTest extends ProviderConformanceSuite {
 *     @Override
 *     protected StorageProvider createProvider(String taskHubName) {
 *         return new MyDbStorageProviderFactory().create(ProviderConfig.of("mydb://localhost/test", taskHubName));
 *     }
 * }
 * }</pre>
 *
 * <p>The groups: {@link Orchestration} (the programming model end to end), {@link LocalActivities} (local
 * activities, with a lost checkpoint), {@link Spi} (the invariants of the provider
 * SPI: locks, leases, ordering, duplicates, dead-lettering), {@link Management} (every client management operation),
 * {@link BulkJobs} (bulk operations as durable jobs), {@link Transfer} (export and import), {@link Retention}
 * (retention policies stored, listed, removed and enforced), {@link StuckAndQuarantine} (stuck instances, and poison
 * messages quarantined, replayed and discarded) and
 * {@link Generated} (generated programs, outside actions and injected faults checked against a reference model).
 * Tests that need a {@link dev.taskhub.spi.Capability} the provider does not declare are skipped with the reason. See
 * {@code docs/provider-authors.md} for the contract the suite checks.
 */
public abstract class ProviderConformanceSuite {
    /**
     * Creates a provider for the given task hub. Called once per test with a fresh hub name (and again when a test
     * needs a second provider object for the same hub, as a second process would have). The suite calls
     * {@code createTaskHub()}, {@code deleteTaskHub()} and {@code close()}.
     */
    protected abstract StorageProvider createProvider(String taskHubName);

    /**
     * Null (the default) when the generated programs must show no violation on this provider; otherwise the open
     * findings, named precisely: the random batch of the {@link Generated} group is then skipped loudly with that
     * reason (the stored regression cases still run), and {@code -Dtaskhub.conformance.generated.includeKnown=true}
     * runs it anyway.
     */
    protected String knownGeneratedViolations() {
        return null;
    }

    /**
     * Programs in the generated random batch of a normal build, {@value GeneratedConformanceTests#DEFAULT_TRIES} by
     * default; a provider whose requests are slow (a remote service) may run fewer, and
     * {@code -Dtaskhub.conformance.generated.tries=N} overrides it either way.
     */
    protected int generatedProgramsPerBuild() {
        return GeneratedConformanceTests.DEFAULT_TRIES;
    }

    /**
     * Faults of this provider's own backend for the generated run (terminated database sessions, failed requests), or
     * null (the default) when it has none: the generated run then injects only the provider-neutral faults.
     */
    protected BackendFaultInjector backendFaults() {
        return null;
    }

    /** The programming model end to end on this provider. */
    @Nested
    public class Orchestration extends OrchestrationConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Local activities: run in the orchestration worker, stored with the episode's checkpoint, on this provider. */
    @Nested
    public class LocalActivities extends LocalActivityConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** The invariants of the provider SPI on this provider. */
    @Nested
    public class Spi extends SpiConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Every instance-management operation of the client on this provider. */
    @Nested
    public class Management extends ManagementConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Bulk jobs (an operation over every matching instance, as a durable job) on this provider. */
    @Nested
    public class BulkJobs extends BulkJobConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Export and import of instances with their history between this provider and another hub. */
    @Nested
    public class Transfer extends TransferConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Retention policies: stored with the hub, enforced in bounded passes, by workers in the background. */
    @Nested
    public class Retention extends RetentionConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Stuck instances and the quarantine of poison messages (list, replay, discard) on this provider. */
    @Nested
    public class StuckAndQuarantine extends StuckAndQuarantineConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }
    }

    /** Generated programs, outside actions and faults, checked against the reference model on this provider. */
    @Nested
    public class Generated extends GeneratedConformanceTests {
        @Override
        protected StorageProvider createProvider(String taskHubName) {
            return ProviderConformanceSuite.this.createProvider(taskHubName);
        }

        @Override
        protected String knownViolations() {
            return ProviderConformanceSuite.this.knownGeneratedViolations();
        }

        @Override
        protected BackendFaultInjector backendFaults() {
            return ProviderConformanceSuite.this.backendFaults();
        }

        @Override
        protected int programsPerBuild() {
            return ProviderConformanceSuite.this.generatedProgramsPerBuild();
        }

        @Override
        protected String testSelector() {
            return ProviderConformanceSuite.this.getClass().getSimpleName() + ",ProviderConformanceSuite$Generated#generatedPrograms*";
        }
    }
}
