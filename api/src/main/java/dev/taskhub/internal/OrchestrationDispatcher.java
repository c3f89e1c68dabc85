package dev.taskhub.internal;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs episodes: each thread locks a batch of instances, replays each over its (cached) history and commits all
 * checkpoints of the batch in one call.
 */
final class OrchestrationDispatcher extends Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(OrchestrationDispatcher.class);

    private final StorageProvider provider;
    private final EpisodeRunner runner;
    private final WorkerOptions options;
    private final HistoryCache cache;

    OrchestrationDispatcher(StorageProvider provider, EpisodeRunner runner, WorkerOptions options) {
        super("taskhub-orchestrations", options.orchestrationConcurrency());
        this.provider = provider;
        this.runner = runner;
        this.options = options;
        this.cache = new HistoryCache(options.historyCacheSize());
    }

    @Override
    protected boolean poll() {
        List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(options.orchestrationBatchSize(),
                options.lockLease(), options.pollWait());
        if (items.isEmpty()) {
            return false;
        }
        List<Checkpoint> checkpoints = new ArrayList<>(items.size());
        for (OrchestrationWorkItem item : items) {
            try {
                List<HistoryEvent> history = item.instance() == null ? null
                        : cache.get(item.instanceId(), item.instance().executionId(), item.historyVersion());
                if (history == null) {
                    history = neverWritten(item) ? new ArrayList<>() : new ArrayList<>(provider.getHistory(item.instanceId()));
                    if (item.instance() != null) {
                        cache.put(item.instanceId(), item.instance().executionId(), item.historyVersion(), history);
                    }
                }
                checkpoints.add(runner.run(item, history));
            } catch (RuntimeException e) {
                log.warn("Episode of instance '{}' failed; it will be retried (delivery {}): {}", item.instanceId(),
                        item.deliveryCount(), e.toString(), e);
                cache.remove(item.instanceId());
                abandonQuietly(item);
            }
        }
        if (checkpoints.isEmpty()) {
            return true;
        }
        List<CommitResult> results;
        try {
            results = provider.commitCheckpoints(checkpoints);
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
                updateCache(checkpoint, item);
            }
        }
        return true;
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
