package dev.taskhub.conformance;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Common fixture of the conformance suite. Every test gets its own task hub (created before, deleted after), a client,
 * and as many workers as it starts. Provider modules do not extend it directly: they write one subclass of
 * {@link ProviderConformanceSuite}, whose nested classes extend the suite's groups.
 */
public abstract class ConformanceTestBase {
    /** Generous bound for anything that should happen "soon"; tests wait with polling, never fixed sleeps. */
    protected static final Duration WAIT = Duration.ofSeconds(60);

    protected StorageProvider provider;
    protected TaskHubClient client;
    protected String taskHubName;
    private final List<TaskHubWorker> workers = new ArrayList<>();
    private final List<StorageProvider> extraProviders = new ArrayList<>();

    /**
     * Creates a provider for the given task hub. Called once per test (and again when a test needs a second
     * provider object for the same hub, as a second process would have). The suite calls {@code createTaskHub()},
     * {@code deleteTaskHub()} and {@code close()}.
     */
    protected abstract StorageProvider createProvider(String taskHubName);

    @BeforeEach
    void setUpHub() {
        taskHubName = "ct" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        provider = createProvider(taskHubName);
        provider.createTaskHub();
        client = new TaskHubClient(provider);
    }

    @AfterEach
    void tearDownHub() {
        if (provider == null) {
            return;   // createProvider failed; its error is the test's result
        }
        workers.forEach(TaskHubWorker::close);
        workers.clear();
        try {
            provider.deleteTaskHub();
        } finally {
            extraProviders.forEach(StorageProvider::close);
            extraProviders.clear();
            provider.close();
        }
    }

    /** Stops every worker the test started so far (as if their processes ended). */
    protected void closeWorkers() {
        workers.forEach(TaskHubWorker::close);
        workers.clear();
    }

    /** Skips the test, with the reason, when the provider lacks the capability. */
    protected void requires(Capability capability, String why) {
        Assumptions.assumeTrue(provider.capabilities().contains(capability),
                () -> "Skipped: provider '" + provider.providerName() + "' does not declare " + capability + ", which " + why);
    }

    /**
     * Options for test workers: short polls and leases so that takeovers happen within seconds; no background retention
     * passes (the retention tests turn them on where they test them).
     */
    protected WorkerOptions.Builder testOptions() {
        return WorkerOptions.builder()
                .orchestrationConcurrency(2)
                .activityConcurrency(8)
                .lockLease(Duration.ofSeconds(5))
                .pollWait(Duration.ofMillis(200))
                .maxDeliveryCount(5)
                .shutdownTimeout(Duration.ofSeconds(2))
                .retentionInterval(Duration.ZERO);
    }

    /** Starts a worker on the test's provider with the given registrations. */
    protected TaskHubWorker startWorker(Consumer<TaskHubWorker.Builder> registrations) {
        return startWorker(provider, testOptions().build(), registrations);
    }

    protected TaskHubWorker startWorker(StorageProvider on, WorkerOptions options, Consumer<TaskHubWorker.Builder> registrations) {
        TaskHubWorker.Builder builder = TaskHubWorker.builder(on).options(options);
        registrations.accept(builder);
        TaskHubWorker worker = builder.build().start();
        workers.add(worker);
        return worker;
    }

    /** A second provider object for the same hub, as another process would create. */
    protected StorageProvider secondProvider() {
        StorageProvider second = createProvider(taskHubName);
        extraProviders.add(second);
        return second;
    }

    /** Locks work for {@code instanceId} through the SPI, waiting until its messages are visible. */
    protected OrchestrationWorkItem lockInstance(StorageProvider on, String instanceId, Duration lease) {
        List<OrchestrationWorkItem> items = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            for (OrchestrationWorkItem item : on.lockOrchestrationWorkItems(10, lease, Duration.ofMillis(200))) {
                if (item.instanceId().equals(instanceId)) {
                    items.add(item);
                } else {
                    on.abandonOrchestrationWorkItem(item, Duration.ZERO);
                }
            }
            return !items.isEmpty();
        });
        return items.get(0);
    }

    protected OrchestrationMetadata awaitCompletion(String instanceId) {
        OrchestrationMetadata metadata = client.waitForInstanceCompletion(instanceId, WAIT, Duration.ofMillis(50));
        assertThat(metadata.isCompleted()).as("instance %s finished in time (status %s)", instanceId, metadata.runtimeStatus()).isTrue();
        return metadata;
    }

    protected OrchestrationMetadata awaitStatus(String instanceId, RuntimeStatus expected) {
        OrchestrationMetadata metadata = awaitCompletion(instanceId);
        assertThat(metadata.runtimeStatus()).as("status of %s, failure %s", instanceId, metadata.failureDetails()).isEqualTo(expected);
        return metadata;
    }

    protected static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
