package dev.taskhub.cli;

import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.config.TaskHubConfiguration;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.StorageProvider;

import java.io.PrintWriter;

/** An open task hub: the provider chosen by configuration and a client on it. Closing closes the provider. */
final class Session implements AutoCloseable {
    final StorageProvider provider;
    final TaskHubClient client;

    private Session(StorageProvider provider, TaskHubClient client) {
        this.provider = provider;
        this.client = client;
    }

    static Session open(CommonOptions options, TaskHubConfiguration configuration, boolean create) {
        StorageProvider provider = StorageProviders.open(configuration, options.provider, options.connectionStringSetting,
                options.taskHubName);
        try {
            if (create) {
                provider.createTaskHub();
            }
            HttpManagementOptions http = HttpManagementOptions.builder().taskHub(provider.taskHubName())
                    .connectionName(options.connectionStringSetting).build();
            return new Session(provider, new TaskHubClient(provider, http));
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    /** Warns (on stderr) that a non-durable provider makes management commands see an empty, private task hub. */
    void warnIfNotDurable(PrintWriter err) {
        if (!provider.capabilities().contains(Capability.DURABLE)) {
            err.println("Note: task hub '" + provider.taskHubName() + "' is on the " + provider.providerName()
                    + " provider, which lives only inside this process: it starts empty and is gone when the command exits. "
                    + "Point the connection string setting at PostgreSQL or Azure Storage, or run 'taskhub serve' and pass --url/--key "
                    + "to manage its hub.");
            err.flush();
        }
    }

    @Override
    public void close() {
        provider.close();
    }
}
