package dev.taskhub.examples.sqlite;

import dev.taskhub.RuntimeStatus;
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
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A task hub in a SQLite file: a thin facade over the instance store ({@link Instances}, which holds the history too),
 * the queues ({@link Queues}, which commit checkpoints), the retention policies ({@link RetentionPolicies}), the
 * quarantine ({@link Quarantine}) and the stuck-instance query ({@link StuckInstancesQuery}). Several hubs, provider objects and processes on one
 * machine may share the file; each checkpoint is one transaction. Thread-safe; {@link #close()} closes the connection
 * and keeps the data.
 */
public final class SqliteStorageProvider implements StorageProvider {
    private final String taskHubName;
    private final Database db;
    private final Instances instances;
    private final Queues queues;
    private final RetentionPolicies retention;
    private final Quarantine quarantine;
    private final StuckInstancesQuery stuck;

    SqliteStorageProvider(String taskHubName, Database db, Duration pollInterval) {
        this.taskHubName = taskHubName;
        this.db = db;
        this.instances = new Instances(db, taskHubName);
        this.queues = new Queues(db, taskHubName, pollInterval);
        this.retention = new RetentionPolicies(db, taskHubName);
        this.quarantine = new Quarantine(db, taskHubName);
        this.stuck = new StuckInstancesQuery(db, taskHubName);
    }

    @Override
    public String providerName() {
        return SqliteStorageProviderFactory.NAME;
    }

    @Override
    public String taskHubName() {
        return taskHubName;
    }

    /** Durable (a file), shared by processes on one machine (file locks and leases in the database), atomic checkpoints. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.DURABLE, Capability.MULTI_PROCESS, Capability.ATOMIC_CHECKPOINT);
    }

    @Override
    public void createTaskHub() {
        db.createSchema();   // the tables are shared by all hubs of the file: rows carry the hub's name
    }

    @Override
    public void deleteTaskHub() {
        db.write(c -> {
            if (db.hasSchema(c)) {
                for (String table : Database.TABLES) {
                    Database.update(c, "DELETE FROM " + table + " WHERE hub = ?", taskHubName);
                }
                retention.deleteAll(c);
            }
            return null;
        });
    }

    @Override
    public void close() {
        db.close();
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
        return instances.page(query);
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
    public List<HistoryEvent> getHistory(String instanceId) {
        return instances.history(instanceId);
    }

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        queues.send(message);
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        return queues.lockOrchestrations(max, lease, maxWait);
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        return queues.renew(workItem, lease);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        queues.abandon(workItem, delay);
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        return queues.lockActivities(max, lease, maxWait);
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        return queues.renew(workItem, lease);
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        queues.abandon(workItem, delay);
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return queues.complete(results);
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        return queues.commit(checkpoints);
    }
}
