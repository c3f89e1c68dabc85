package dev.taskhub.worker;

import dev.taskhub.activity.Activity;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.jobs.BulkJobs;
import dev.taskhub.spi.support.Times;
import dev.taskhub.internal.WorkerRuntime;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.spi.StorageProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Objects;

/**
 * Runs orchestrators and activities from a task hub. Build with {@link #builder(StorageProvider)}, then
 * {@link #start()}; {@link #close()} stops gracefully: it takes no new work, commits the episodes in hand, gives running
 * activities {@link WorkerOptions#shutdownTimeout()} to finish and releases the rest. The worker does not close the
 * provider. Any number of workers, in any number of processes, may share a task hub whose provider supports it.
 *
 * <p>Besides episodes and activities, a worker enforces the hub's retention policies in the background: one bounded
 * pass every {@link WorkerOptions#retentionInterval()} (see {@link dev.taskhub.retention.RetentionEnforcer}).
 */
public final class TaskHubWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskHubWorker.class);

    private final StorageProvider provider;
    private final TaskRegistry registry;
    private final WorkerOptions options;
    private final WorkerRuntime runtime;
    private boolean started;
    private boolean closed;

    private TaskHubWorker(StorageProvider provider, TaskRegistry registry, WorkerOptions options, Clock clock) {
        this.provider = provider;
        this.registry = registry;
        this.options = options;
        TaskHubClient client = new TaskHubClient(provider, options.dataConverter());
        this.runtime = new WorkerRuntime(provider, EngineBridge.registrations(registry, BulkJobs.builtInOrchestrators(),
                BulkJobs.builtInActivities(client)), EngineBridge.engineOptions(options), clock);
    }

    public static Builder builder(StorageProvider provider) {
        return new Builder(provider);
    }

    public TaskRegistry registry() {
        return registry;
    }

    public WorkerOptions options() {
        return options;
    }

    /** Starts polling. Idempotent. */
    public synchronized TaskHubWorker start() {
        if (closed) {
            throw new IllegalStateException("This worker was closed; build a new one.");
        }
        if (!started) {
            started = true;
            runtime.start();
            log.info("Worker started on task hub '{}' ({}): {} orchestrator(s), {} activity(ies)", provider.taskHubName(),
                    provider.providerName(), registry.orchestratorNames().size(), registry.activityNames().size());
        }
        return this;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (started) {
            try {
                runtime.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.info("Worker on task hub '{}' stopped", provider.taskHubName());
        }
    }

    /** Builder for {@link TaskHubWorker}. */
    public static final class Builder {
        private final StorageProvider provider;
        private final TaskRegistry registry = new TaskRegistry();
        private WorkerOptions options = WorkerOptions.defaults();
        private Clock clock = Times.microsecondClock(Clock.systemUTC());

        private Builder(StorageProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        public Builder addOrchestrator(String name, Orchestrator<?> orchestrator) {
            registry.addOrchestrator(name, orchestrator);
            return this;
        }

        public Builder addActivity(String name, Activity<?> activity) {
            registry.addActivity(name, activity);
            return this;
        }

        /** Registers everything a module contributes. */
        public Builder addModule(TaskModule module) {
            module.register(registry);
            return this;
        }

        /** Registers the {@link TaskModule}s found on the class path. */
        public Builder addModulesFromClassPath() {
            registry.addModulesFromClassPath();
            return this;
        }

        public Builder options(WorkerOptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** The clock that stamps episodes (tests may inject one). */
        public Builder clock(Clock value) {
            this.clock = Times.microsecondClock(Objects.requireNonNull(value, "clock"));
            return this;
        }

        public TaskHubWorker build() {
            return new TaskHubWorker(provider, registry, options, clock);
        }
    }
}
