package dev.taskhub.provider.postgres;

import dev.taskhub.spi.support.Backoff;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ExpiredInstances;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The PostgreSQL storage provider for one task hub. Thread-safe; create it through
 * {@link PostgresStorageProviderFactory} and {@link #close()} it when done (it owns a connection pool and one
 * listener connection with its thread).
 *
 * <p>Work items are locked with {@code SELECT ... FOR UPDATE SKIP LOCKED} plus a lease kept in the row, so a lock
 * survives across transactions and a dead worker's lock expires. Lock calls wait for work without busy polling: the
 * transaction that enqueues sends a {@code NOTIFY}, a listener connection wakes the waiting calls, and they also wake
 * when the earliest future message (a timer) becomes due, with a fallback poll that backs off up to
 * {@code taskhub.postgres.pollInterval}. See {@code docs/postgres.md}.
 */
public final class PostgresStorageProvider implements StorageProvider {
    private static final Duration MIN_POLL = Duration.ofMillis(10);
    /** Waits longer than this are advertised so that enqueuers NOTIFY; shorter ones just poll. */
    private static final long ADVERTISE_AFTER_MS = 40;

    private final PostgresSettings settings;
    private final Db db;
    private final HubSchema schema;
    private final InstanceRepository instances;
    private final HistoryRepository histories;
    private final QueueStore queues;
    private final CheckpointWriter checkpoints;
    private final Enqueuer enqueuer;
    private final InstanceImporter importer;
    private final WakeSignal orchestrationSignal = new WakeSignal();
    private final WakeSignal activitySignal = new WakeSignal();
    private final Backoff orchestrationBackoff;
    private final Backoff activityBackoff;
    private final NotificationListener listener;
    private final WaiterAdvert orchestrationWaiters;
    private final WaiterAdvert activityWaiters;
    private final StatisticsKeeper statistics;
    private final RetentionRepository retention;
    private final QuarantineRepository quarantine;
    private final StuckFinder stuck;
    private final OwnerLiveness owner;
    private volatile boolean closed;

    PostgresStorageProvider(PostgresSettings settings) {
        this(new Db(settings));
    }

    /** A provider on the application's data source, which it does not close (see {@link Db#Db(PostgresSettings, javax.sql.DataSource)}). */
    PostgresStorageProvider(PostgresSettings settings, javax.sql.DataSource applicationDataSource) {
        this(new Db(settings, applicationDataSource));
    }

    private PostgresStorageProvider(Db db) {
        this.settings = db.settings();
        this.orchestrationBackoff = new Backoff(MIN_POLL, settings.pollInterval());
        this.activityBackoff = new Backoff(MIN_POLL, settings.pollInterval());
        this.db = db;
        this.schema = new HubSchema(db);
        this.enqueuer = new Enqueuer(db);
        this.importer = new InstanceImporter(db, enqueuer);
        this.instances = new InstanceRepository(db, enqueuer);
        this.histories = new HistoryRepository(db);
        this.owner = new OwnerLiveness(db);
        this.queues = new QueueStore(db, enqueuer, owner);
        this.checkpoints = new CheckpointWriter(db, enqueuer, queues);
        this.orchestrationWaiters = new WaiterAdvert(db, "o");
        this.activityWaiters = new WaiterAdvert(db, "a");
        this.statistics = new StatisticsKeeper(db, settings.autoAnalyze());
        this.retention = new RetentionRepository(db);
        this.quarantine = new QuarantineRepository(db);
        this.stuck = new StuckFinder(db);
        this.listener = new NotificationListener(db, orchestrationSignal, activitySignal);
        this.listener.start();
    }

    @Override
    public String providerName() {
        return PostgresStorageProviderFactory.NAME;
    }

    @Override
    public String taskHubName() {
        return settings.taskHub();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.DURABLE, Capability.MULTI_PROCESS, Capability.ATOMIC_CHECKPOINT);
    }

    /** The schema holding this hub's tables. */
    public String schemaName() {
        return settings.schema();
    }

    /** Whether the notification listener is connected right now (for monitoring; lock calls poll while it is not). */
    public boolean isListening() {
        return listener.isConnected();
    }

    /** The planner statistics keeper (tests run its check directly). */
    StatisticsKeeper statistics() {
        return statistics;
    }

    /** The statement that row-locks a checkpoint batch's instances (tests check its query plan). */
    String checkpointLockSql() {
        return checkpoints.lockRowsSql();
    }

    /** The statements that lock and complete activity messages (tests check their query plans). */
    List<String> activityStatementsSql() {
        return queues.activityStatementsSql();
    }

    /** The SQL of retention's batch selects (tests check their query plans). */
    List<String> expiredStatements() {
        return instances.expiredStatements();
    }

    /** The SQL of purge's statements (tests check their query plans). */
    List<String> purgeStatements() {
        return instances.purgeStatements();
    }

    @Override
    public void createTaskHub() {
        ensureOpen();
        schema.create();
    }

    @Override
    public void deleteTaskHub() {
        ensureOpen();
        schema.delete();
    }

    // ------------------------------------------------------------------ instance store

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        ensureOpen();
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startMessage, "startMessage");
        if (!state.instanceId().equals(startMessage.instanceId())) {
            throw new InvalidRequestException("The start message is addressed to '" + startMessage.instanceId()
                    + "' but the instance is '" + state.instanceId() + "'.");
        }
        instances.create(state, startMessage, replaceableStatuses == null ? Set.of() : replaceableStatuses);
        orchestrationSignal.signal();
    }

    @Override
    public boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceableStatuses) {
        ensureOpen();
        Objects.requireNonNull(instance, "instance");
        boolean replaced = importer.importInstance(instance, replaceableStatuses == null ? Set.of() : replaceableStatuses);
        orchestrationSignal.signal();
        activitySignal.signal();
        return replaced;
    }

    @Override
    public Optional<InstanceState> getInstance(String instanceId) {
        ensureOpen();
        return instances.get(Objects.requireNonNull(instanceId, "instanceId"));
    }

    @Override
    public InstanceCounts countInstances(InstanceQuery query) {
        ensureOpen();
        return instances.count(Objects.requireNonNull(query, "query"));
    }

    @Override
    public InstancePage queryInstances(InstanceQuery query) {
        ensureOpen();
        return instances.query(Objects.requireNonNull(query, "query"));
    }

    @Override
    public boolean purgeInstance(String instanceId) {
        ensureOpen();
        return instances.purge(Objects.requireNonNull(instanceId, "instanceId"));
    }

    /** One transaction: the terminal rows among the ids are locked (in id order), then set-based deletes. */
    @Override
    public Set<String> purgeInstancesById(Collection<String> instanceIds) {
        ensureOpen();
        return instances.purge(List.copyOf(instanceIds));
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        ensureOpen();
        return instances.purge(Objects.requireNonNull(criteria, "criteria"));
    }

    @Override
    public int purgeExpiredInstances(ExpiredInstances expired) {
        ensureOpen();
        return instances.purgeExpired(Objects.requireNonNull(expired, "expired"));
    }

    // ------------------------------------------------------------------ retention policies

    @Override
    public List<RetentionPolicy> retentionPolicies() {
        ensureOpen();
        return retention.list();
    }

    @Override
    public void putRetentionPolicy(RetentionPolicy policy) {
        ensureOpen();
        retention.put(Objects.requireNonNull(policy, "policy"));
    }

    @Override
    public boolean removeRetentionPolicy(RuntimeStatus status, String orchestrationName) {
        ensureOpen();
        return retention.remove(Objects.requireNonNull(status, "status"), orchestrationName);
    }

    /** The statement of the stuck-instance query (tests check its query plan). */
    String stuckSql() {
        return stuck.sql();
    }

    // ------------------------------------------------------------------ stuck instances and quarantine

    @Override
    public StuckInstances findStuckInstances(StuckQuery query, Instant now) {
        ensureOpen();
        return stuck.find(Objects.requireNonNull(query, "query"), Objects.requireNonNull(now, "now"));
    }

    @Override
    public void putQuarantineRecord(QuarantineRecord record) {
        ensureOpen();
        quarantine.put(Objects.requireNonNull(record, "record"));
    }

    @Override
    public QuarantinePage listQuarantineRecords(QuarantineQuery query) {
        ensureOpen();
        return quarantine.list(Objects.requireNonNull(query, "query"));
    }

    @Override
    public Optional<QuarantineRecord> getQuarantineRecord(String recordId) {
        ensureOpen();
        return quarantine.get(Objects.requireNonNull(recordId, "recordId"));
    }

    @Override
    public boolean deleteQuarantineRecord(String recordId) {
        ensureOpen();
        return quarantine.delete(Objects.requireNonNull(recordId, "recordId"));
    }

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        ensureOpen();
        return histories.history(Objects.requireNonNull(instanceId, "instanceId"));
    }

    /** One query for all of them. */
    @Override
    public Map<String, List<HistoryEvent>> getHistories(Collection<String> instanceIds) {
        ensureOpen();
        return histories.histories(List.copyOf(instanceIds));
    }

    // ------------------------------------------------------------------ queues

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        ensureOpen();
        Objects.requireNonNull(message, "message");
        db.autoCommit("send orchestration message", c -> {
            enqueuer.send(c, List.of(message));
            return null;
        });
        orchestrationSignal.signal();
    }

    /** All in one transaction and one round trip (queue heads moved in instance-id order, as every writer does). */
    @Override
    public void sendOrchestrationMessages(List<TaskMessage> messages) {
        ensureOpen();
        if (messages.isEmpty()) {
            return;
        }
        db.autoCommit("send orchestration messages", c -> {
            enqueuer.send(c, messages);
            return null;
        });
        orchestrationSignal.signal();
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        ensureOpen();
        checkLockArgs(max, lease, maxWait);
        statistics.tick();
        return waitFor(orchestrationSignal, orchestrationWaiters, orchestrationBackoff, maxWait, () -> queues.tryLockOrchestrations(max, lease));
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        ensureOpen();
        return queues.renewOrchestration(workItem, requirePositive(lease, "lease"));
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        ensureOpen();
        queues.abandonOrchestration(workItem, delay == null ? Duration.ZERO : delay);
        orchestrationSignal.signal();
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        ensureOpen();
        checkLockArgs(max, lease, maxWait);
        statistics.tick();
        return waitFor(activitySignal, activityWaiters, activityBackoff, maxWait, () -> queues.tryLockActivities(max, lease));
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        ensureOpen();
        return queues.renewActivity(workItem, requirePositive(lease, "lease"));
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        ensureOpen();
        queues.abandonActivity(workItem, delay == null ? Duration.ZERO : delay);
        activitySignal.signal();
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return completeActivityWorkItemsAndLock(results, 0, null).results();
    }

    /** One round trip and transaction: the results applied, then up to {@code lockMax} activity messages locked. */
    @Override
    public CommittedBatch<ActivityWorkItem> completeActivityWorkItemsAndLock(List<ActivityResult> results, int lockMax, Duration lease) {
        ensureOpen();
        CommittedBatch<ActivityWorkItem> out = queues.completeActivities(List.copyOf(results), lockAfterCommit(lockMax, lease), lease);
        orchestrationSignal.signal();
        return out;
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> batch) {
        return commitCheckpointsAndLock(batch, 0, null).results();
    }

    /**
     * One transaction and two round trips: the batch's row locks and checks, then its writes, the lock of up to
     * {@code lockMax} more instances and the commit.
     */
    @Override
    public CommittedBatch<OrchestrationWorkItem> commitCheckpointsAndLock(List<Checkpoint> batch, int lockMax, Duration lease) {
        ensureOpen();
        CommittedBatch<OrchestrationWorkItem> out = checkpoints.commit(List.copyOf(batch), lockAfterCommit(lockMax, lease), lease);
        boolean orchestrations = false;
        boolean activities = false;
        for (int i = 0; i < batch.size(); i++) {
            if (out.results().get(i).isCommitted()) {
                orchestrations |= !batch.get(i).orchestrationMessages().isEmpty();
                activities |= !batch.get(i).activityRequests().isEmpty();
            }
        }
        if (orchestrations) {
            orchestrationSignal.signal();
        }
        if (activities) {
            activitySignal.signal();
        }
        return out;
    }

    /**
     * Tries to lock; when nothing is ready, waits for a notification, for the next due message, or for the fallback
     * poll, whichever comes first, until {@code maxWait} has passed. Short waits just poll; before a longer wait the
     * provider advertises itself as an idle waiter (so enqueuers NOTIFY) and checks once more, so no wake-up is lost.
     */
    private <T> List<T> waitFor(WakeSignal signal, WaiterAdvert advert, Backoff backoff, Duration maxWait,
                                Supplier<QueueStore.Locked<T>> attempt) {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        boolean advertised = false;
        boolean found = false;
        try {
            while (true) {
                long seen = signal.generation();
                QueueStore.Locked<T> locked = attempt.get();
                List<T> items = locked.items();
                if (!items.isEmpty()) {
                    backoff.reset();
                    found = true;
                    return items;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || closed || Thread.currentThread().isInterrupted()) {
                    return List.of();
                }
                long poll = backoff.nextMillis();
                long wait = Math.min(left, poll);
                if (locked.millisUntilNextDue() != Long.MAX_VALUE) {
                    wait = Math.min(wait, locked.millisUntilNextDue() + 2);
                }
                if (wait > ADVERTISE_AFTER_MS && listener.isConnected()) {
                    if (!advertised) {
                        advertised = true;
                        advert.enter();
                    }
                    if (advert.ensure(wait)) {
                        continue; // the advert was just written: look once more now that enqueuers will notify us
                    }
                }
                if (!signal.await(seen, Math.max(1, wait))) {
                    return List.of(); // interrupted
                }
            }
        } finally {
            if (advertised) {
                advert.exit(found);
            }
        }
    }

    /** How many items a commit locks after it (0: none); a lock keeps the statistics up to date, as a lock call does. */
    private int lockAfterCommit(int lockMax, Duration lease) {
        if (lockMax <= 0) {
            return 0;
        }
        requirePositive(lease, "lease");
        statistics.tick();
        return lockMax;
    }

    private static void checkLockArgs(int max, Duration lease, Duration maxWait) {
        if (max < 1) {
            throw new InvalidRequestException("max must be at least 1, got " + max + ".");
        }
        requirePositive(lease, "lease");
        Objects.requireNonNull(maxWait, "maxWait");
    }

    private static Duration requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidRequestException(name + " must be a positive duration, got " + d + ".");
        }
        return d;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("The PostgreSQL provider for task hub '" + settings.taskHub()
                    + "' is closed. Create a new provider.");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        statistics.close();
        owner.close();
        orchestrationSignal.signal();
        activitySignal.signal();
        listener.close();
        try {
            orchestrationWaiters.withdraw();
            activityWaiters.withdraw();
        } finally {
            db.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresStorageProvider[" + settings + "]";
    }
}
