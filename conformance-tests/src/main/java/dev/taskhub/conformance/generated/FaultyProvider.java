package dev.taskhub.conformance.generated;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.ForwardingStorageProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A decorator over any {@link StorageProvider} that injects faults a real deployment sees, as planned by a
 * {@link FaultPlan}: duplicate delivery, abandoned work items, checkpoints refused as stale, orchestration locks lost
 * mid-episode and activity leases that expire while the activity runs. The worker under test uses the decorator; the
 * client uses the raw provider. It records what it injected, and which activities a fault forced to run again.
 */
public final class FaultyProvider extends ForwardingStorageProvider {
    /** Counters shared by every decorator of one test (a crash replaces the decorator, not the counters). */
    public static final class Stats {
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong abandons = new AtomicLong();
        final AtomicLong staleCommits = new AtomicLong();
        final AtomicLong locksLost = new AtomicLong();
        final AtomicLong activityLeasesLost = new AtomicLong();
        final AtomicLong crashes = new AtomicLong();
        final AtomicLong backendFaults = new AtomicLong();
        final AtomicLong refusedByProvider = new AtomicLong();
        /** Ledger key → re-runs a fault made unavoidable. */
        final Map<String, AtomicInteger> allowedReruns = new ConcurrentHashMap<>();
        /** Ledger keys of activities that fail their first attempts and that a crash may have run again. */
        final Set<String> nondeterministic = ConcurrentHashMap.newKeySet();
        /** Activity lock token → ledger key, for activities locked and not yet completed. */
        final Map<String, String> inFlight = new ConcurrentHashMap<>();
        /** When a worker last committed a checkpoint or an activity result (System.nanoTime). */
        private volatile long lastProgressNanos = System.nanoTime();

        void progressed() {
            lastProgressNanos = System.nanoTime();
        }

        /** How long ago a worker last committed anything. */
        Duration sinceProgress() {
            return Duration.ofNanos(System.nanoTime() - lastProgressNanos);
        }

        long total() {
            return duplicates.get() + abandons.get() + staleCommits.get() + locksLost.get() + activityLeasesLost.get() + crashes.get()
                    + backendFaults.get();
        }

        int allowance(String ledgerKey) {
            AtomicInteger n = allowedReruns.get(ledgerKey);
            return n == null ? 0 : n.get();
        }

        void allow(String ledgerKey) {
            if (ledgerKey != null) {
                allowedReruns.computeIfAbsent(ledgerKey, k -> new AtomicInteger()).incrementAndGet();
            }
        }

        /** A crash: every activity still running may run again. */
        void crashed() {
            crashes.incrementAndGet();
            resultsMayBeLost();
            inFlight.clear();
        }

        /** A backend fault: the result of an activity still running may be lost, so it may run again. */
        void backendFault() {
            backendFaults.incrementAndGet();
            resultsMayBeLost();
        }

        private void resultsMayBeLost() {
            inFlight.values().forEach(this::allow);
            inFlight.values().stream().filter(k -> FAILING.containsKey(k)).forEach(nondeterministic::add);
        }

        @Override
        public String toString() {
            return "duplicates=" + duplicates + " abandons=" + abandons + " staleCommits=" + staleCommits + " locksLost=" + locksLost
                    + " activityLeasesLost=" + activityLeasesLost + " crashes=" + crashes + " backendFaults=" + backendFaults
                    + " (commits refused by the provider: " + refusedByProvider + ")";
        }
    }

    /** Ledger keys of activity calls that fail their first attempts (a re-run would use up one of them). */
    static final Map<String, Boolean> FAILING = new ConcurrentHashMap<>();

    private final FaultPlan plan;
    private final Stats stats;
    private final Random random;
    /** Checkpoints and activity results this provider object committed: the progress its worker made. */
    private final AtomicLong committed = new AtomicLong();

    public FaultyProvider(StorageProvider delegate, FaultPlan plan, Stats stats, long seed) {
        super(delegate);
        this.plan = plan;
        this.stats = stats;
        this.random = new Random(seed);
    }

    @Override
    public StorageProvider delegate() {
        return super.delegate();
    }

    /** How many checkpoints and activity results went through this object and were committed. */
    long committed() {
        return committed.get();
    }

    /**
     * The worker dead-letters messages delivered more than {@code maxDeliveryCount} (5 in the suite) times. Abandons,
     * lost locks and stale commits each cost a delivery, so they are injected only on a work item's first two
     * deliveries: injected faults alone never make a message poison (a crash may still add a delivery).
     */
    private static final int LAST_FAULTY_DELIVERY = 2;

    private boolean roll(double p) {
        if (p <= 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < p;
        }
    }

    static String ledgerKey(ActivityRequest request) {
        try {
            JsonNode input = Program.JSON.readTree(request.input());
            JsonNode key = input == null ? null : input.get("key");
            if (key == null) {
                return null;
            }
            String ledgerKey = Ledger.key(request.instanceId(), key.asText());
            if (input.path("failFirst").asInt() > 0) {
                FAILING.put(ledgerKey, true);
            }
            return ledgerKey;
        } catch (Exception notOurs) {
            return null;
        }
    }

    // ---- the intercepted calls -------------------------------------------------------------------------------------

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        return withLockFaults(delegate().lockOrchestrationWorkItems(max, lease, maxWait));
    }

    private List<OrchestrationWorkItem> withLockFaults(List<OrchestrationWorkItem> locked) {
        List<OrchestrationWorkItem> out = new ArrayList<>();
        for (OrchestrationWorkItem item : locked) {
            if (item.deliveryCount() > LAST_FAULTY_DELIVERY) {
                out.add(item);
            } else if (roll(plan.abandon())) {
                stats.abandons.incrementAndGet();
                delegate().abandonOrchestrationWorkItem(item, Duration.ZERO);
            } else if (roll(plan.lockLost())) {
                stats.locksLost.incrementAndGet();
                delegate().abandonOrchestrationWorkItem(item, Duration.ZERO);   // the store no longer holds this lock
                out.add(item);
            } else {
                out.add(item);
            }
        }
        return out;
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        return commitCheckpointsAndLock(checkpoints, 0, null).results();
    }

    /** The store's own commit-and-lock (when it has one), with the faults of both calls. */
    @Override
    public CommittedBatch<OrchestrationWorkItem> commitCheckpointsAndLock(List<Checkpoint> checkpoints, int lockMax, Duration lease) {
        CommitResult[] results = new CommitResult[checkpoints.size()];
        List<Checkpoint> forward = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint c = checkpoints.get(i);
            if (c.workItem().deliveryCount() <= LAST_FAULTY_DELIVERY && roll(plan.staleCommit())) {
                stats.staleCommits.incrementAndGet();
                delegate().abandonOrchestrationWorkItem(c.workItem(), Duration.ZERO);
                results[i] = new CommitResult.Refused(new LeaseLostException(c.workItem().instanceId(),
                        "Injected fault: the checkpoint of '" + c.workItem().instanceId() + "' is stale."));
            } else {
                forward.add(c);
                positions.add(i);
            }
        }
        List<OrchestrationWorkItem> locked = List.of();
        if (!forward.isEmpty() || lockMax > 0) {
            CommittedBatch<OrchestrationWorkItem> batch = delegate().commitCheckpointsAndLock(forward, lockMax, lease);
            locked = withLockFaults(batch.locked());
            List<CommitResult> applied = batch.results();
            for (int j = 0; j < applied.size(); j++) {
                Checkpoint c = forward.get(j);
                results[positions.get(j)] = applied.get(j);
                if (applied.get(j).isCommitted()) {
                    committed.incrementAndGet();
                    stats.progressed();
                    if (roll(plan.duplicateDelivery())) {
                        duplicate(c.orchestrationMessages());
                    }
                } else {
                    stats.refusedByProvider.incrementAndGet();
                    if (!delegate().capabilities().contains(Capability.ATOMIC_CHECKPOINT)) {
                        // a refused checkpoint of a non-atomic store may have sent its activity requests already (e.g.
                        // a crash interrupted it after its first send); its repeat sends them again, so an activity
                        // that fails its first attempts may use up one more: the outcome is then unpredictable
                        for (ActivityRequest r : c.activityRequests()) {
                            String key = ledgerKey(r);
                            stats.allow(key);
                            if (key != null && FAILING.containsKey(key)) {
                                stats.nondeterministic.add(key);
                            }
                        }
                    }
                }
            }
        }
        return new CommittedBatch<>(List.of(results), locked);
    }

    /** Re-sends result and event messages (a start message is not duplicated: see docs/testing.md). */
    private void duplicate(List<TaskMessage> messages) {
        for (TaskMessage m : messages) {
            if (!(m.event() instanceof HistoryEvent.ExecutionStarted)) {
                stats.duplicates.incrementAndGet();
                delegate().sendOrchestrationMessage(m);
            }
        }
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        return withActivityLockFaults(delegate().lockActivityWorkItems(max, lease, maxWait));
    }

    private List<ActivityWorkItem> withActivityLockFaults(List<ActivityWorkItem> items) {
        for (ActivityWorkItem item : items) {
            String key = ledgerKey(item.request());
            if (key != null) {
                stats.inFlight.put(item.lockToken(), key);
            }
            if (key != null && !FAILING.containsKey(key) && roll(plan.activityLeaseLost())) {
                stats.activityLeasesLost.incrementAndGet();
                stats.allow(key);
                delegate().abandonActivityWorkItem(item, Duration.ZERO);   // runs here and again elsewhere
            }
        }
        return items;
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return completeActivityWorkItemsAndLock(results, 0, null).results();
    }

    /** The store's own complete-and-lock (when it has one), with the faults of both calls. */
    @Override
    public CommittedBatch<ActivityWorkItem> completeActivityWorkItemsAndLock(List<ActivityResult> results, int lockMax, Duration lease) {
        CommittedBatch<ActivityWorkItem> batch = delegate().completeActivityWorkItemsAndLock(results, lockMax, lease);
        List<CommitResult> applied = batch.results();
        for (int i = 0; i < results.size(); i++) {
            stats.inFlight.remove(results.get(i).workItem().lockToken());
            if (!applied.get(i).isCommitted()) {
                continue;
            }
            committed.incrementAndGet();
            stats.progressed();
            if (roll(plan.duplicateDelivery())) {
                stats.duplicates.incrementAndGet();
                delegate().sendOrchestrationMessage(results.get(i).response());
            }
        }
        return new CommittedBatch<>(applied, withActivityLockFaults(batch.locked()));
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        stats.inFlight.remove(workItem.lockToken());
        delegate().abandonActivityWorkItem(workItem, delay);
    }
}
