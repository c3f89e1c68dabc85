package dev.taskhub.provider.inmemory;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.InstanceQuery;
import dev.taskhub.client.PurgeCriteria;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
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
 * The in-memory provider: thread-safe, with real leases, not-before times and delivery counts, so it behaves like the
 * durable providers except that nothing survives the JVM. Several provider objects for one hub share one store.
 * Closing it keeps the data (use {@link #deleteTaskHub()} to drop it).
 */
public final class InMemoryStorageProvider implements StorageProvider {
    private final String taskHubName;
    private final InMemoryStore store;

    InMemoryStorageProvider(String taskHubName, InMemoryStore store) {
        this.taskHubName = taskHubName;
        this.store = store;
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
        store.clear();
    }

    @Override
    public void close() {
        // The data outlives provider objects until the JVM ends or the hub is deleted.
    }

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        store.createInstance(state, startMessage, replaceableStatuses);
    }

    @Override
    public Optional<InstanceState> getInstance(String instanceId) {
        return store.getInstance(instanceId);
    }

    @Override
    public InstancePage queryInstances(InstanceQuery query) {
        return store.query(query);
    }

    @Override
    public boolean purgeInstance(String instanceId) {
        return store.purge(instanceId);
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        return store.purge(criteria);
    }

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        return store.history(instanceId);
    }

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        store.send(List.of(message));
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        return store.lockOrchestrations(max, lease, maxWait);
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        return store.renewOrchestration(workItem, lease);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        store.abandonOrchestration(workItem, delay);
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        return store.lockActivities(max, lease, maxWait);
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        return store.renewActivity(workItem, lease);
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        store.abandonActivity(workItem, delay);
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return store.completeActivities(results);
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        return store.commit(checkpoints);
    }
}
