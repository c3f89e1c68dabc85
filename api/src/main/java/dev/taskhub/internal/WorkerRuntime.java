package dev.taskhub.internal;

import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskRegistry;
import dev.taskhub.worker.WorkerOptions;

import java.time.Clock;

/** The dispatchers of one worker, started and stopped together. */
public final class WorkerRuntime {
    private final OrchestrationDispatcher orchestrations;
    private final ActivityDispatcher activities;
    private final WorkerOptions options;

    public WorkerRuntime(StorageProvider provider, TaskRegistry registry, WorkerOptions options, Clock clock) {
        this.options = options;
        this.orchestrations = new OrchestrationDispatcher(provider, new EpisodeRunner(registry, clock, options.maxDeliveryCount()), options);
        this.activities = new ActivityDispatcher(provider, registry, options, clock);
    }

    public void start() {
        orchestrations.start();
        activities.start();
    }

    /** Graceful stop: no new work; episodes in hand are committed; running activities get the shutdown timeout. */
    public void stop() throws InterruptedException {
        orchestrations.stopPolling();
        activities.shutdown(options.shutdownTimeout());
        orchestrations.awaitStop(Math.max(2000, options.pollWait().toMillis() * 3));
    }
}
