package dev.taskhub.internal;

import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.observe.WorkerState;
import dev.taskhub.spi.StorageProvider;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The dispatchers of one worker, started and stopped together. */
public final class WorkerRuntime {
    private final OrchestrationDispatcher orchestrations;
    private final ActivityDispatcher activities;
    private final EngineOptions options;
    private final boolean runOrchestrations;
    private final boolean runActivities;
    /** Runs several local activities of one episode at once; threads are made on demand and end when idle. */
    private final ThreadPoolExecutor localPool;
    private final RetentionDaemon retention;
    private final WorkerState state;

    public WorkerRuntime(StorageProvider provider, Registrations registry, EngineOptions options, Clock clock) {
        this.options = options;
        // A worker with only activities does not take orchestrations; one with orchestrators also takes activities (an
        // unknown activity then fails clearly) unless told not to, so that worker pools can specialise.
        this.runOrchestrations = !registry.orchestratorNames().isEmpty();
        this.runActivities = options.processActivities() && (runOrchestrations || !registry.activityNames().isEmpty());
        this.localPool = new ThreadPoolExecutor(options.activityConcurrency(), options.activityConcurrency(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "taskhub-local-activity");
                    t.setDaemon(true);
                    return t;
                });
        this.localPool.allowCoreThreadTimeOut(true);
        LocalActivities local = new LocalActivities(registry, options.dataConverter(), localPool);
        this.orchestrations = new OrchestrationDispatcher(provider,
                new EpisodeRunner(registry, clock, options.maxDeliveryCount(), options.dataConverter(), local), options, clock);
        this.activities = new ActivityDispatcher(provider, registry, options, clock);
        this.retention = new RetentionDaemon(provider, clock, options.retentionInterval(), options.retentionBatchSize());
        this.state = new WorkerState() {
            @Override
            public String taskHubName() {
                return provider.taskHubName();
            }

            @Override
            public int activitiesInFlight() {
                return runActivities ? activities.inFlight() : 0;
            }

            @Override
            public int activityCapacity() {
                return runActivities ? options.activityConcurrency() : 0;
            }

            @Override
            public int episodesInFlight() {
                return runOrchestrations ? orchestrations.inFlight() : 0;
            }

            @Override
            public int episodeCapacity() {
                return runOrchestrations ? options.orchestrationConcurrency() * options.orchestrationBatchSize() : 0;
            }
        };
    }

    public void start() {
        if (runOrchestrations) {
            orchestrations.start();
        }
        if (runActivities) {
            activities.start();
        }
        retention.start();
        tell(true);
    }

    private void tell(boolean started) {
        TaskHubObserver observer = options.observer();
        if (observer == TaskHubObserver.NONE) {
            return;
        }
        try {
            if (started) {
                observer.workerStarted(state);
            } else {
                observer.workerStopped(state);
            }
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(WorkerRuntime.class).warn("Observer {} failed; ignored: {}", observer, e.toString(), e);
        }
    }

    /** Graceful stop: no new work; episodes in hand are committed; running activities get the shutdown timeout. */
    public void stop() throws InterruptedException {
        retention.stop();
        orchestrations.stopPolling();
        if (runActivities) {
            activities.shutdown(options.shutdownTimeout());
        }
        if (runOrchestrations) {
            // a batch in hand is committed: give its commit time (idle threads return within the poll wait)
            orchestrations.awaitStop(Math.max(5000, options.pollWait().toMillis() * 3));
        }
        localPool.shutdown();
        tell(false);
    }
}
