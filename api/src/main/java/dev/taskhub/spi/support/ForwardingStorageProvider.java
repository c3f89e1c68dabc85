package dev.taskhub.spi.support;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link StorageProvider} that forwards every call to another one: the base for decorators that observe or change a
 * few calls (counting requests, injecting faults in tests, tracing) and leave the rest alone. Override the calls you
 * change; the others go to {@link #delegate()} unchanged.
 *
 * <p>Except the commit-and-lock calls ({@code commitCheckpointsAndLock}, {@code completeActivityWorkItemsAndLock}):
 * they keep the SPI's defaults, which commit through this class's {@code commitCheckpoints} and
 * {@code completeActivityWorkItems} and lock nothing, so a decorator that overrides a commit sees every commit. A
 * decorator that leaves commits alone can override them to forward, and keep the store's one round trip per batch.
 */
public abstract class ForwardingStorageProvider implements StorageProvider {
    private final StorageProvider delegate;

    protected ForwardingStorageProvider(StorageProvider delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The provider every call not overridden goes to. */
    protected StorageProvider delegate() {
        return delegate;
    }

    @Override
    public String providerName() {
        return delegate.providerName();
    }

    @Override
    public String taskHubName() {
        return delegate.taskHubName();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public void createTaskHub() {
        delegate.createTaskHub();
    }

    @Override
    public void deleteTaskHub() {
        delegate.deleteTaskHub();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        delegate.createInstance(state, startMessage, replaceableStatuses);
    }

    @Override
    public boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceableStatuses) {
        return delegate.importInstance(instance, replaceableStatuses);
    }

    @Override
    public Optional<InstanceState> getInstance(String instanceId) {
        return delegate.getInstance(instanceId);
    }

    @Override
    public InstancePage queryInstances(InstanceQuery query) {
        return delegate.queryInstances(query);
    }

    @Override
    public boolean purgeInstance(String instanceId) {
        return delegate.purgeInstance(instanceId);
    }

    @Override
    public Set<String> purgeInstancesById(Collection<String> instanceIds) {
        return delegate.purgeInstancesById(instanceIds);
    }

    @Override
    public InstanceCounts countInstances(InstanceQuery query) {
        return delegate.countInstances(query);
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        return delegate.purgeInstances(criteria);
    }

    @Override
    public int purgeExpiredInstances(ExpiredInstances expired) {
        return delegate.purgeExpiredInstances(expired);
    }

    @Override
    public List<RetentionPolicy> retentionPolicies() {
        return delegate.retentionPolicies();
    }

    @Override
    public void putRetentionPolicy(RetentionPolicy policy) {
        delegate.putRetentionPolicy(policy);
    }

    @Override
    public boolean removeRetentionPolicy(RuntimeStatus status, String orchestrationName) {
        return delegate.removeRetentionPolicy(status, orchestrationName);
    }

    @Override
    public StuckInstances findStuckInstances(StuckQuery query, Instant now) {
        return delegate.findStuckInstances(query, now);
    }

    @Override
    public void putQuarantineRecord(QuarantineRecord record) {
        delegate.putQuarantineRecord(record);
    }

    @Override
    public QuarantinePage listQuarantineRecords(QuarantineQuery query) {
        return delegate.listQuarantineRecords(query);
    }

    @Override
    public Optional<QuarantineRecord> getQuarantineRecord(String recordId) {
        return delegate.getQuarantineRecord(recordId);
    }

    @Override
    public boolean deleteQuarantineRecord(String recordId) {
        return delegate.deleteQuarantineRecord(recordId);
    }

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        return delegate.getHistory(instanceId);
    }

    @Override
    public Map<String, List<HistoryEvent>> getHistories(Collection<String> instanceIds) {
        return delegate.getHistories(instanceIds);
    }

    @Override
    public void sendOrchestrationMessages(List<TaskMessage> messages) {
        delegate.sendOrchestrationMessages(messages);
    }

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        delegate.sendOrchestrationMessage(message);
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        return delegate.lockOrchestrationWorkItems(max, lease, maxWait);
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        return delegate.renewOrchestrationWorkItem(workItem, lease);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        delegate.abandonOrchestrationWorkItem(workItem, delay);
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        return delegate.lockActivityWorkItems(max, lease, maxWait);
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        return delegate.renewActivityWorkItem(workItem, lease);
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        delegate.abandonActivityWorkItem(workItem, delay);
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return delegate.completeActivityWorkItems(results);
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        return delegate.commitCheckpoints(checkpoints);
    }
}
