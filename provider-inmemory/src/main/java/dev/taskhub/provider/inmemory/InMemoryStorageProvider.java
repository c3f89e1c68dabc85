package dev.taskhub.provider.inmemory;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.RetentionPolicy;
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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The in-memory provider: thread-safe, with real leases, not-before times and delivery counts, so it behaves like the
 * durable providers except that nothing survives the JVM. Several provider objects for one hub share its stores
 * ({@link InstanceRepository}, {@link HistoryRepository}, {@link QueueStore}, {@link CheckpointWriter}, guarded by one
 * lock); this class only delegates to them. Closing it keeps the data (use {@link #deleteTaskHub()} to drop it).
 */
public final class InMemoryStorageProvider implements StorageProvider {
    private final String taskHubName;
    private final InstanceRepository instances;
    private final HistoryRepository history;
    private final QueueStore queues;
    private final CheckpointWriter checkpoints;
    private final RetentionRepository retention;
    private final QuarantineRepository quarantine;
    private final StuckFinder stuck;

    /**
     * A provider over a new, private task hub that reads time from {@code clock}: not shared with providers the factory
     * opens by name, and gone when the last reference to it is. For tests: with a {@link VirtualClock}, the hub moves
     * time forward by itself whenever it is idle and the clock allows it (see {@link VirtualClock}); the worker and
     * client of the hub must read the same clock. The factory's hubs use the system clock.
     */
    public static InMemoryStorageProvider create(String taskHubName, Clock clock) {
        if (taskHubName == null || taskHubName.isBlank()) {
            throw new InvalidRequestException("The task hub name must not be empty.");
        }
        return new InMemoryStorageProvider(taskHubName, InMemoryHub.create(Objects.requireNonNull(clock, "clock")));
    }

    InMemoryStorageProvider(String taskHubName, InMemoryHub hub) {
        this.taskHubName = taskHubName;
        this.instances = hub.instances();
        this.history = hub.history();
        this.queues = hub.queues();
        this.checkpoints = hub.checkpoints();
        this.retention = hub.retention();
        this.quarantine = hub.quarantine();
        this.stuck = hub.stuck();
    }

    @Override
    public String providerName() {
        return "inmemory";
    }

    @Override
    public String taskHubName() {
        return taskHubName;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_CHECKPOINT);
    }

    @Override
    public void createTaskHub() {
        // Nothing to create: the store exists as soon as the hub is named.
    }

    @Override
    public void deleteTaskHub() {
        instances.clear();
        retention.clear();
    }

    @Override
    public void close() {
        // The data outlives provider objects until the JVM ends or the hub is deleted.
    }

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        instances.create(state, startMessage, replaceableStatuses);
    }

    @Override
    public boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceableStatuses) {
        return instances.importInstance(instance, replaceableStatuses);
    }

    @Override
    public Optional<InstanceState> getInstance(String instanceId) {
        return instances.get(instanceId);
    }

    @Override
    public InstancePage queryInstances(InstanceQuery query) {
        return instances.query(query);
    }

    @Override
    public InstanceCounts countInstances(InstanceQuery query) {
        return instances.count(query);
    }

    @Override
    public int purgeExpiredInstances(ExpiredInstances expired) {
        return instances.purgeExpired(expired);
    }

    @Override
    public List<RetentionPolicy> retentionPolicies() {
        return retention.list();
    }

    @Override
    public void putRetentionPolicy(RetentionPolicy policy) {
        retention.put(policy);
    }

    @Override
    public boolean removeRetentionPolicy(RuntimeStatus status, String orchestrationName) {
        return retention.remove(status, orchestrationName);
    }

    @Override
    public StuckInstances findStuckInstances(StuckQuery query, Instant now) {
        return stuck.find(query, now);
    }

    @Override
    public void putQuarantineRecord(QuarantineRecord record) {
        quarantine.put(record);
    }

    @Override
    public QuarantinePage listQuarantineRecords(QuarantineQuery query) {
        return quarantine.list(query);
    }

    @Override
    public Optional<QuarantineRecord> getQuarantineRecord(String recordId) {
        return quarantine.get(recordId);
    }

    @Override
    public boolean deleteQuarantineRecord(String recordId) {
        return quarantine.delete(recordId);
    }

    @Override
    public boolean purgeInstance(String instanceId) {
        return instances.purge(instanceId);
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        return instances.purge(criteria);
    }

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        return history.read(instanceId);
    }

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        queues.send(List.of(message));
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        return queues.lockOrchestrations(max, lease, maxWait);
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        return queues.renewOrchestration(workItem, lease);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        queues.abandonOrchestration(workItem, delay);
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        return queues.lockActivities(max, lease, maxWait);
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        return queues.renewActivity(workItem, lease);
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        queues.abandonActivity(workItem, delay);
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return queues.completeActivities(results);
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        return this.checkpoints.commit(checkpoints);
    }

    /** Commits, then locks without waiting (nothing here can fail between the two). */
    @Override
    public CommittedBatch<OrchestrationWorkItem> commitCheckpointsAndLock(List<Checkpoint> checkpoints, int lockMax, Duration lease) {
        List<CommitResult> results = commitCheckpoints(checkpoints);
        return new CommittedBatch<>(results, lockMax > 0 ? queues.lockOrchestrations(lockMax, lease, Duration.ZERO) : List.of());
    }

    /** Completes, then locks without waiting (nothing here can fail between the two). */
    @Override
    public CommittedBatch<ActivityWorkItem> completeActivityWorkItemsAndLock(List<ActivityResult> results, int lockMax, Duration lease) {
        List<CommitResult> applied = completeActivityWorkItems(results);
        return new CommittedBatch<>(applied, lockMax > 0 ? queues.lockActivities(lockMax, lease, Duration.ZERO) : List.of());
    }
}
