package dev.taskhub.internal;

import dev.taskhub.FailureDetails;
import dev.taskhub.activity.Activity;
import dev.taskhub.activity.ActivityContext;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.observe.ActivityReport;
import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs activities: one poller locks as many messages as there are free slots, a pool runs them, and one completer
 * reports results to the provider in batches. Leases of long-running activities are renewed in the background.
 */
final class ActivityDispatcher extends Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(ActivityDispatcher.class);

    private final StorageProvider provider;
    private final Registrations registry;
    private final EngineOptions options;
    private final Clock clock;
    private final Semaphore slots;
    private final ExecutorService pool;
    private final LinkedBlockingQueue<ActivityResult> results = new LinkedBlockingQueue<>();
    private final Map<String, ActivityWorkItem> inFlight = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer;
    private final Thread completer;
    private final Quarantine quarantine;
    private final TaskHubObserver observer;
    private final boolean observing;
    private volatile boolean completerStopping;
    /** Set when the shutdown timeout elapsed: activities still running are interrupted and abandoned, not reported. */
    private volatile boolean abandoning;

    ActivityDispatcher(StorageProvider provider, Registrations registry, EngineOptions options, Clock clock) {
        super("taskhub-activity-poller", 1);
        this.provider = provider;
        this.registry = registry;
        this.options = options;
        this.clock = Times.microsecondClock(clock);
        this.quarantine = new Quarantine(provider);
        this.observer = options.observer();
        this.observing = observer != TaskHubObserver.NONE;
        this.slots = new Semaphore(options.activityConcurrency());
        this.pool = Executors.newFixedThreadPool(options.activityConcurrency(), daemon("taskhub-activity"));
        this.renewer = Executors.newSingleThreadScheduledExecutor(daemon("taskhub-activity-renewer"));
        this.completer = daemon("taskhub-activity-completer").newThread(this::completeLoop);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        int[] counter = {0};
        return r -> {
            Thread t = new Thread(r, name + "-" + counter[0]++);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    synchronized void start() {
        completer.start();
        long period = Math.max(100, options.lockLease().toMillis() / 3);
        renewer.scheduleAtFixedRate(this::renewLeases, period, period, TimeUnit.MILLISECONDS);
        super.start();
    }

    @Override
    protected boolean poll() {
        try {
            if (!slots.tryAcquire(options.pollWait().toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        int taken = 1 + drain(Math.min(options.activityBatchSize(), options.activityConcurrency()) - 1);
        List<ActivityWorkItem> items;
        try {
            items = isStopping() ? List.of() : provider.lockActivityWorkItems(taken, options.lockLease(), options.pollWait());
        } catch (RuntimeException e) {
            slots.release(taken);
            throw e;
        }
        slots.release(taken - items.size());
        run(items);
        return !items.isEmpty();
    }

    /** Runs locked items on the pool, each holding a slot; items the stopped pool refuses are released at once. */
    private void run(List<ActivityWorkItem> items) {
        for (ActivityWorkItem item : items) {
            inFlight.put(item.lockToken(), item);
            try {
                pool.execute(() -> {
                    TaskMessage response;
                    try {
                        response = execute(item);
                    } catch (RuntimeException e) {
                        // the quarantine record could not be written: consume nothing, the message comes back
                        log.warn("Quarantining activity '{}' of instance '{}' failed; it will be delivered again: {}",
                                item.request().name(), item.request().instanceId(), e.toString());
                        release(item, Duration.ofSeconds(1));
                        return;
                    }
                    if (!abandoning) {
                        results.add(new ActivityResult(item, response));
                    }
                });
            } catch (RejectedExecutionException shuttingDown) {
                release(item, Duration.ZERO);
            }
        }
    }

    /** Gives an item back unreported: its slot freed, abandoned (visible again after the delay). */
    private void release(ActivityWorkItem item, Duration delay) {
        inFlight.remove(item.lockToken());
        slots.release();
        abandonQuietly(item, delay);
    }

    private void abandonQuietly(ActivityWorkItem item, Duration delay) {
        try {
            provider.abandonActivityWorkItem(item, delay);
        } catch (RuntimeException e) {
            log.debug("Abandoning an activity failed; its lease will expire: {}", e.toString());
        }
    }

    private int drain(int max) {
        int got = 0;
        while (got < max && slots.tryAcquire()) {
            got++;
        }
        return got;
    }

    /** Activities locked now (running, or waiting for their result to be reported). */
    int inFlight() {
        return inFlight.size();
    }

    private TaskMessage execute(ActivityWorkItem item) {
        if (!observing) {
            return run(item);
        }
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        TaskMessage response = run(item);
        long nanos = System.nanoTime() - t0;
        ActivityRequest request = item.request();
        String failure = response.event() instanceof HistoryEvent.TaskFailed f
                ? (f.failureDetails() == null ? "unknown" : f.failureDetails().errorType()) : null;
        try {
            observer.activityExecuted(new ActivityReport(provider.taskHubName(), request.instanceId(), request.executionId(),
                    request.taskId(), request.name(), item.deliveryCount(), startedAt, Duration.ofNanos(nanos), failure));
        } catch (RuntimeException e) {
            log.warn("Observer {} failed on activity '{}'; ignored: {}", observer, request.name(), e.toString(), e);
        }
        return response;
    }

    private TaskMessage run(ActivityWorkItem item) {
        ActivityRequest request = item.request();
        Instant now;
        HistoryEvent event;
        if (item.deliveryCount() > options.maxDeliveryCount()) {
            quarantine.put(Quarantine.of(item, options.maxDeliveryCount(), clock.instant()));
            event = new HistoryEvent.TaskFailed(-1, clock.instant(), request.taskId(), new FailureDetails("PoisonMessage",
                    "Activity '" + request.name() + "' was delivered " + item.deliveryCount() + " times without completing (maximum "
                            + options.maxDeliveryCount() + "); it was quarantined (see 'taskhub quarantine list'). Check the worker logs for what stopped it.", ""));
        } else {
            Activity<?> activity = registry.activity(request.name()).orElse(null);
            if (activity == null) {
                event = new HistoryEvent.TaskFailed(-1, clock.instant(), request.taskId(), new FailureDetails("ActivityNotFound",
                        "No activity named '" + request.name() + "' is registered on this worker (registered: "
                                + registry.activityNames() + "). Register it with addActivity(\"" + request.name() + "\", ...).", ""));
            } else {
                try {
                    Object result = activity.run(new Context(item, options.dataConverter()));
                    String json = options.dataConverter().serialize(result);
                    event = new HistoryEvent.TaskCompleted(-1, clock.instant(), request.taskId(), json);
                } catch (Exception | Error e) {
                    event = new HistoryEvent.TaskFailed(-1, clock.instant(), request.taskId(), FailureDetails.of(e));
                }
            }
        }
        return new TaskMessage(EpisodeRunner.newMessageId(), request.instanceId(), request.executionId(), event, null);
    }

    private void completeLoop() {
        List<ActivityResult> batch = new ArrayList<>();
        long backoff = 0;
        while (!completerStopping || !results.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    ActivityResult first = results.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    results.drainTo(batch, 255);
                }
                // the slots these results free go to the next activities, locked in the same round trip
                int lockMax = isStopping() || abandoning ? 0 : Math.min(batch.size(), options.activityBatchSize());
                CommittedBatch<ActivityWorkItem> completed = provider.completeActivityWorkItemsAndLock(batch, lockMax, options.lockLease());
                List<CommitResult> outcomes = completed.results();
                for (int i = 0; i < batch.size(); i++) {
                    ActivityWorkItem item = batch.get(i).workItem();
                    if (outcomes.get(i) instanceof CommitResult.Refused refused) {
                        log.info("Result of activity '{}' for instance '{}' was refused (lease lost); another delivery will report it: {}",
                                item.request().name(), item.request().instanceId(), refused.cause().getMessage());
                    }
                    inFlight.remove(item.lockToken());
                }
                slots.release(batch.size() - completed.locked().size());
                batch.clear();
                run(completed.locked());
                backoff = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // Keep the batch and retry; if the leases expire meanwhile the results are refused and the activities rerun.
                log.warn("Reporting {} activity result(s) failed, retrying: {}", batch.size(), e.toString());
                backoff = Math.min(5_000, Math.max(50, backoff * 2));
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (completerStopping && backoff >= 5_000) {
                    return;
                }
            }
        }
    }

    private void renewLeases() {
        Instant threshold = clock.instant().plus(options.lockLease().dividedBy(2));
        for (ActivityWorkItem item : inFlight.values()) {
            if (item.lockedUntil().isBefore(threshold)) {
                try {
                    Instant until = provider.renewActivityWorkItem(item, options.lockLease());
                    inFlight.computeIfPresent(item.lockToken(), (k, v) -> new ActivityWorkItem(v.lockToken(), until, v.request(), v.deliveryCount()));
                } catch (LeaseLostException e) {
                    log.info("Lost the lease of activity '{}' for instance '{}'", item.request().name(), item.request().instanceId());
                } catch (RuntimeException e) {
                    log.debug("Renewing an activity lease failed: {}", e.toString());
                }
            }
        }
    }

    /** Stops polling, lets running activities finish within the timeout, reports their results, abandons the rest. */
    void shutdown(Duration timeout) throws InterruptedException {
        stopPolling();
        awaitStop(Math.max(1000, options.pollWait().toMillis() * 2));
        pool.shutdown();
        if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            abandoning = true;
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.SECONDS);
        }
        completerStopping = true;
        completer.join(Math.max(1000, timeout.toMillis()));
        renewer.shutdownNow();
        for (ActivityWorkItem item : inFlight.values()) {
            log.info("Releasing activity '{}' of instance '{}' that did not finish before shutdown", item.request().name(),
                    item.request().instanceId());
            abandonQuietly(item, Duration.ZERO);
        }
        inFlight.clear();
    }

    private static final class Context implements ActivityContext {
        private final ActivityWorkItem item;
        private final DataConverter converter;

        Context(ActivityWorkItem item, DataConverter converter) {
            this.item = item;
            this.converter = converter;
        }

        @Override
        public String getName() {
            return item.request().name();
        }

        @Override
        public String getInstanceId() {
            return item.request().instanceId();
        }

        @Override
        public int getTaskId() {
            return item.request().taskId();
        }

        @Override
        public int getDeliveryCount() {
            return item.deliveryCount();
        }

        @Override
        public <T> T getInput(Class<T> type) {
            return converter.deserialize(item.request().input(), type);
        }
    }
}
