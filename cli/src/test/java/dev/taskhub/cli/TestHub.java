package dev.taskhub.cli;

import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.samples.SamplesModule;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;

import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * An in-memory task hub for one command-line test: a worker running the samples plus the test's own orchestrators and
 * activities, a client, and on request the HTTP management API in front of them. The command line under test opens
 * the same hub by its name (in-memory hubs are shared within a JVM). {@link #close()} stops everything and deletes
 * the hub.
 */
final class TestHub implements AutoCloseable {
    final String name;
    final StorageProvider provider;
    final TaskHubWorker worker;
    final TaskHubClient client;
    private ManagementServer server;

    private TestHub(String name, UnaryOperator<TaskHubWorker.Builder> registrations) {
        this.name = name;
        this.provider = StorageProviders.open(null, ProviderConfig.of("inmemory", name));
        // no background retention passes: tests that set policies apply them when they choose
        this.worker = registrations.apply(TaskHubWorker.builder(provider).addModule(new SamplesModule())
                .options(WorkerOptions.builder().retentionInterval(Duration.ZERO).build())).build().start();
        this.client = new TaskHubClient(provider);
    }

    /** A hub named {@code prefix} plus a random suffix, served by the samples and {@code registrations}. */
    static TestHub start(String prefix, UnaryOperator<TaskHubWorker.Builder> registrations) {
        return new TestHub(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10), registrations);
    }

    static TestHub start(String prefix) {
        return start(prefix, b -> b);
    }

    /** Starts the HTTP management API on a free port, requiring {@code key}. */
    ManagementServer serve(String key) {
        server = ManagementServer.builder(client).registry(worker.registry()).port(0).systemKey(key).build().start();
        return server;
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            worker.close();
            provider.deleteTaskHub();
        } finally {
            provider.close();
        }
    }
}
