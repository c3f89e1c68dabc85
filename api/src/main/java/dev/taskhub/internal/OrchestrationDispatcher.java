package dev.taskhub.internal;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.observe.EpisodeReport;
import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs episodes: each thread locks a batch of instances, replays each over its (cached) history and commits all
 * checkpoints of the batch in one call. The leases of a batch's work items are renewed in the background until they
 * are committed or abandoned, so a batch of slow episodes keeps its locks; an item whose lease was lost is not run or
 * committed.
 */
final class OrchestrationDispatcher extends Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(OrchestrationDispatcher.class);

    private final StorageProvider provider;
    private final EpisodeRunner runner;
    private final EngineOptions options;
    private final HistoryCache cache;
    /** Instances whose commit call is in progress, with the latch that call opens once it has updated the cache. */
    private final Map<String, CountDownLatch> committing = new ConcurrentHashMap<>();
    private static final long COMMIT_WAIT_MILLIS = 2_000;
    private final Set<Lease> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer;
    private final Quarantine quarantine;
    private final Clock clock;
    private final TaskHubObserver observer;
    /** False with {@link TaskHubObserver#NONE}: then nothing is measured and no report is built. */
    private final boolean observing;
    /** The last episode error per instance (the latest 1,000 instances), for the reason of a quarantine record. */
    private final Map<String, String> lastErrors = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 1000;
        }
    });

    /**
     * A locked work item of a batch in progress. Renewal and the end of the item (commit or abandon) exclude each other
     * through the monitor, so no renewal overlaps or follows the commit.
     */
    private static final class Lease {
        final OrchestrationWorkItem item;
        /** System.nanoTime() when the lease was last known to start: taken before the lock call, then at each renewal. */
        volatile long since;
        volatile boolean lost;
        private boolean ended;

        Lease(OrchestrationWorkItem item, long since) {
            this.item = item;
            this.since = since;
        }

        /** Ends renewal (waiting for one in progress); returns false when the lease was already lost. */
        synchronized boolean end() {
            ended = true;
            return !lost;
        }
    }

    OrchestrationDispatcher(StorageProvider provider, EpisodeRunner runner, EngineOptions options, Clock clock) {
        super("taskhub-orchestrations", options.orchestrationConcurrency());
        this.provider = provider;
        this.runner = runner;
        this.options = options;
        this.cache = new HistoryCache(options.historyCacheSize());
        this.quarantine = new Quarantine(provider);
        this.clock = Times.microsecondClock(clock);
        this.observer = options.observer();
        this.observing = observer != TaskHubObserver.NONE;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "taskhub-orchestration-renewer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    synchronized void start() {
        long period = Math.max(50, options.lockLease().toMillis() / 6);
        renewer.scheduleWithFixedDelay(this::renewLeases, period, period, TimeUnit.MILLISECONDS);
        super.start();
    }

    @Override
    void awaitStop(long millis) throws InterruptedException {
        super.awaitStop(millis);
        renewer.shutdownNow();
    }

    @Override
    protected boolean poll() {
        long lockedSince = System.nanoTime();
        List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(options.orchestrationBatchSize(),
                options.lockLease(), options.pollWait());
        if (items.isEmpty()) {
            return false;
        }
        // while work keeps coming, each commit locks the next batch in the same round trip
        Locked next = new Locked(items, lockedSince);
        while (!next.items().isEmpty()) {
            List<Lease> leases = new ArrayList<>(next.items().size());
            for (OrchestrationWorkItem item : next.items()) {
                leases.add(new Lease(item, next.since()));
            }
            held.addAll(leases);
            try {
                next = runAndCommit(leases);
            } finally {
                leases.forEach(held::remove);
            }
        }
        return true;
    }

    /** Work items locked together, and System.nanoTime() before the call that locked them. */
    private record Locked(List<OrchestrationWorkItem> items, long since) {
        static final Locked NONE = new Locked(List.of(), 0);
    }

    /**
     * Renews, in the background, each lease of a batch in progress once a third of the lease has passed since it was
     * taken or last renewed. A lost lease is marked: its episode is skipped, or its checkpoint is not committed.
     */
    private void renewLeases() {
        try {
            renewDueLeases();
        } catch (RuntimeException e) {
            log.warn("Renewing orchestration leases failed, retrying: {}", e.toString());   // keep the schedule alive
        }
    }

    private void renewDueLeases() {
        long due = options.lockLease().toNanos() / 3;
        for (Lease lease : held) {
            if (System.nanoTime() - lease.since < due) {
                continue;
            }
            synchronized (lease) {
                if (lease.ended || lease.lost) {
                    continue;
                }
                long before = System.nanoTime();
                try {
                    provider.renewOrchestrationWorkItem(lease.item, options.lockLease());
                    lease.since = before;
                } catch (LeaseLostException e) {
                    lease.lost = true;
                    log.info("Lost the lock on instance '{}' while its episode was in progress; its work is left to the "
                            + "worker that holds it now: {}", lease.item.instanceId(), e.getMessage());
                } catch (RuntimeException e) {
                    log.debug("Renewing the lock on instance '{}' failed, retrying: {}", lease.item.instanceId(), e.toString());
                }
            }
        }
    }

    /** Instances locked for an episode now. */
    int inFlight() {
        return held.size();
    }

    /** What an observer is told about one episode, gathered while it runs (only when observing). */
    private record Observed(List<HistoryEvent> history, int historySize, EpisodeReport.HistorySource source, Instant startedAt,
                            long nanos, Duration scheduleToStart) {}

    /** Runs the batch's episodes and commits them; returns the batch the commit locked next (none when stopping). */
    private Locked runAndCommit(List<Lease> leases) {
        List<Checkpoint> ran = new ArrayList<>(leases.size());
        List<Lease> ranLeases = new ArrayList<>(leases.size());
        Map<Checkpoint, Observed> observed = observing ? new java.util.IdentityHashMap<>() : null;
        BatchHistories histories = histories(leases);
        for (Lease lease : leases) {
            OrchestrationWorkItem item = lease.item;
            if (lease.lost) {
                continue;
            }
            try {
                List<HistoryEvent> history = histories.cached().get(item.instanceId());
                EpisodeReport.HistorySource source = EpisodeReport.HistorySource.CACHE;
                if (history == null) {
                    boolean fresh = neverWritten(item);
                    source = fresh ? EpisodeReport.HistorySource.NEW : EpisodeReport.HistorySource.STORAGE;
                    List<HistoryEvent> stored = fresh ? List.of() : histories.loaded().get(item.instanceId());
                    history = new ArrayList<>(stored != null ? stored : provider.getHistory(item.instanceId()));
                    if (item.instance() != null) {
                        cache.put(item.instanceId(), item.instance().executionId(), item.historyVersion(), history);
                    }
                }
                if (runner.deadLetters(item, history)) {
                    // kept before the checkpoint consumes the messages; a storage failure here retries the whole item
                    String execution = item.instance() != null ? item.instance().executionId() : item.messages().get(0).executionId();
                    quarantine.put(Quarantine.of(item, execution, options.maxDeliveryCount(), lastErrors.get(item.instanceId()),
                            clock.instant()));
                }
                ran.add(observing ? runObserved(item, history, source, observed) : runner.run(item, history));
                ranLeases.add(lease);
            } catch (RuntimeException e) {
                lastErrors.put(item.instanceId(), e.toString());
                log.warn("Episode of instance '{}' failed; it will be retried (delivery {}): {}", item.instanceId(),
                        item.deliveryCount(), e.toString(), e);
                cache.remove(item.instanceId());
                if (lease.end()) {
                    abandonQuietly(item);
                }
            }
        }
        // Stop renewing before committing; a checkpoint whose lease was lost meanwhile would be refused anyway.
        List<Checkpoint> checkpoints = new ArrayList<>(ran.size());
        for (int i = 0; i < ran.size(); i++) {
            if (ranLeases.get(i).end()) {
                checkpoints.add(ran.get(i));
            } else {
                log.info("Checkpoint of instance '{}' dropped: its lock was lost during the episode", ran.get(i).workItem().instanceId());
                cache.remove(ran.get(i).workItem().instanceId());
            }
        }
        if (checkpoints.isEmpty()) {
            return Locked.NONE;
        }
        long lockedSince = System.nanoTime();
        CountDownLatch cached = new CountDownLatch(1);
        checkpoints.forEach(c -> committing.put(c.workItem().instanceId(), cached));
        try {
            return commit(checkpoints, observed, lockedSince);
        } finally {
            cached.countDown();
            checkpoints.forEach(c -> committing.remove(c.workItem().instanceId(), cached));
        }
    }

    /** Commits the checkpoints, brings the history cache up to date and returns the batch locked with them. */
    private Locked commit(List<Checkpoint> checkpoints, Map<Checkpoint, Observed> observed, long lockedSince) {
        List<CommitResult> results;
        List<OrchestrationWorkItem> next;
        try {
            CommittedBatch<OrchestrationWorkItem> committed = provider.commitCheckpointsAndLock(checkpoints,
                    isStopping() ? 0 : options.orchestrationBatchSize(), options.lockLease());
            results = committed.results();
            next = committed.locked();
        } catch (RuntimeException e) {
            checkpoints.forEach(c -> {
                cache.remove(c.workItem().instanceId());
                abandonQuietly(c.workItem());
            });
            throw e;
        }
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint checkpoint = checkpoints.get(i);
            OrchestrationWorkItem item = checkpoint.workItem();
            if (results.get(i) instanceof CommitResult.Refused refused) {
                log.info("Checkpoint of instance '{}' was refused and dropped: {}", item.instanceId(), refused.cause().getMessage());
                cache.remove(item.instanceId());
            } else {
                lastErrors.remove(item.instanceId());
                if (observing) {
                    report(checkpoint, observed.get(checkpoint));
                }
                updateCache(checkpoint, item);
            }
        }
        return new Locked(next, lockedSince);
    }

    /**
     * The histories of a batch's instances before its episodes run: {@code cached}, those this worker holds (by
     * instance id); {@code loaded}, those of the other instances that were written before, read in one provider call
     * so that a cold worker does not make a round trip per episode. An instance in neither (a fresh one, or every one
     * when the batch read fails) gets its history in its episode.
     */
    private record BatchHistories(Map<String, List<HistoryEvent>> cached, Map<String, List<HistoryEvent>> loaded) {}

    private BatchHistories histories(List<Lease> leases) {
        Map<String, List<HistoryEvent>> cached = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (Lease lease : leases) {
            OrchestrationWorkItem item = lease.item;
            if (lease.lost || item.instance() == null) {
                continue;
            }
            List<HistoryEvent> history = cachedHistory(item);
            if (history != null) {
                cached.put(item.instanceId(), history);
            } else if (!neverWritten(item)) {
                missing.add(item.instanceId());
            }
        }
        return new BatchHistories(cached, readAll(missing));
    }

    /** The histories of the instances, all in one provider call; empty for fewer than two, or when the call fails. */
    private Map<String, List<HistoryEvent>> readAll(List<String> instanceIds) {
        if (instanceIds.size() < 2) {
            return Map.of();
        }
        Map<String, List<HistoryEvent>> loaded = new HashMap<>();
        try {
            loaded.putAll(provider.getHistories(instanceIds));
        } catch (RuntimeException e) {
            log.debug("Reading {} histories at once failed; each episode reads its own: {}", instanceIds.size(), e.toString());
            return Map.of();
        }
        instanceIds.forEach(id -> loaded.putIfAbsent(id, List.of()));
        return loaded;
    }

    /**
     * The cached history of the item's instance at the item's version, or null. A provider may hand out the instance's
     * next work item while the commit call of its previous episode is still going on in another dispatcher thread (the
     * call commits a whole batch and locks the next one); that call brings the cache up to date when it returns, so the
     * lookup waits for it (a bounded while) rather than reading the history back from storage.
     */
    private List<HistoryEvent> cachedHistory(OrchestrationWorkItem item) {
        List<HistoryEvent> history = cache.get(item.instanceId(), item.instance().executionId(), item.historyVersion());
        CountDownLatch inFlight = history == null ? committing.get(item.instanceId()) : null;
        if (inFlight != null) {
            try {
                if (inFlight.await(COMMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    history = cache.get(item.instanceId(), item.instance().executionId(), item.historyVersion());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return history;
    }

    /** Runs an episode, measuring it for the observer. */
    private Checkpoint runObserved(OrchestrationWorkItem item, List<HistoryEvent> history, EpisodeReport.HistorySource source,
                                   Map<Checkpoint, Observed> observed) {
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        Checkpoint checkpoint = runner.run(item, history);
        observed.put(checkpoint, new Observed(history, history.size(), source, startedAt, System.nanoTime() - t0,
                backlogAge(item, startedAt)));
        return checkpoint;
    }

    /** How long the oldest message of the item waited between becoming due and the episode beginning. */
    private static Duration backlogAge(OrchestrationWorkItem item, Instant now) {
        Instant oldest = null;
        for (TaskMessage m : item.messages()) {
            Instant due = m.event().timestamp();
            if (m.visibleAt() != null && (due == null || m.visibleAt().isAfter(due))) {
                due = m.visibleAt();
            }
            if (due != null && (oldest == null || due.isBefore(oldest))) {
                oldest = due;
            }
        }
        if (oldest == null || oldest.isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(oldest, now);
    }

    /** Tells the observer about a committed episode (before the cache appends to the history list). */
    private void report(Checkpoint checkpoint, Observed o) {
        if (o == null) {
            return;
        }
        OrchestrationWorkItem item = checkpoint.workItem();
        InstanceState state = checkpoint.state() != null ? checkpoint.state() : item.instance();
        if (state == null) {
            return;   // messages dropped for an unknown instance: no episode ran
        }
        List<HistoryEvent> history = o.history().size() == o.historySize() ? o.history() : o.history().subList(0, o.historySize());
        List<HistoryEvent> newEvents;
        String executionId = state.executionId();
        if (state.status() == RuntimeStatus.CONTINUED_AS_NEW) {
            newEvents = List.of();
            executionId = item.instance() != null ? item.instance().executionId() : executionId;
        } else if (checkpoint.replaceHistory()) {
            List<HistoryEvent> all = checkpoint.newEvents();
            int from = 0;
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i) instanceof HistoryEvent.OrchestratorStarted) {
                    from = i;
                    break;
                }
            }
            newEvents = all.subList(from, all.size());
            history = all.subList(0, from);
        } else {
            newEvents = checkpoint.newEvents();
        }
        if (newEvents.isEmpty() && state.status() != RuntimeStatus.CONTINUED_AS_NEW) {
            return;   // nothing happened (messages dropped for a finished instance)
        }
        try {
            observer.episodeCommitted(new EpisodeReport(provider.taskHubName(), item.instanceId(), executionId, state.name(),
                    state.status(), o.startedAt(), Duration.ofNanos(o.nanos()), o.scheduleToStart(), o.source(), history, newEvents));
        } catch (RuntimeException e) {
            log.warn("Observer {} failed on an episode of instance '{}'; ignored: {}", observer, item.instanceId(), e.toString(), e);
        }
    }

    /**
     * True when the instance has no history for sure, saving a read per new orchestration: no state row (history is
     * only written together with one), or a pending row untouched since the client created it (creation deletes any
     * old history; every checkpoint that writes history also moves {@code lastUpdatedAt}).
     */
    private static boolean neverWritten(OrchestrationWorkItem item) {
        InstanceState state = item.instance();
        return state == null || (state.status() == RuntimeStatus.PENDING && state.lastUpdatedAt().equals(state.createdAt()));
    }

    /**
     * Brings the cached history up to the committed version. The cached list belongs to this worker and no episode of
     * the instance runs while its commit is in progress (the instance was locked), so it is appended to in place.
     */
    private void updateCache(Checkpoint checkpoint, OrchestrationWorkItem item) {
        if (!checkpoint.changesHistory()) {
            return;
        }
        String executionBefore = item.instance() == null ? null : item.instance().executionId();
        String executionAfter = checkpoint.state() != null ? checkpoint.state().executionId() : executionBefore;
        List<HistoryEvent> history;
        if (checkpoint.replaceHistory() || item.instance() == null) {
            history = new ArrayList<>(checkpoint.newEvents());
        } else {
            history = cache.get(item.instanceId(), executionBefore, item.historyVersion());
            if (history == null) {
                return;
            }
            history.addAll(checkpoint.newEvents());
        }
        if (executionAfter == null) {
            cache.remove(item.instanceId());
        } else {
            cache.put(item.instanceId(), executionAfter, item.historyVersion() + 1, history);
        }
    }

    private void abandonQuietly(OrchestrationWorkItem item) {
        try {
            provider.abandonOrchestrationWorkItem(item, backoff(item.deliveryCount()));
        } catch (RuntimeException e) {
            log.debug("Abandoning instance '{}' failed; its lease will expire: {}", item.instanceId(), e.toString());
        }
    }

    static Duration backoff(int deliveryCount) {
        return Duration.ofMillis(Math.min(30_000, 100L << Math.min(deliveryCount, 10)));
    }
}
