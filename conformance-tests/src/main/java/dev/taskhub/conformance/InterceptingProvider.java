package dev.taskhub.conformance;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A provider that forwards every call to the provider under test, for a worker whose commits a test wants to watch or
 * break: it records the ids of the messages consumed by committed checkpoints, and can crash one checkpoint of an
 * instance between sending its outbound messages and committing it (the window that Azure Storage's commit order
 * leaves open). {@link #close()} does not close the provider under test; the suite does.
 */
final class InterceptingProvider implements StorageProvider {
    private final StorageProvider delegate;
    private final Set<String> consumed = ConcurrentHashMap.newKeySet();
    private final Set<String> crashed = ConcurrentHashMap.newKeySet();
    private volatile String crashInstanceId;
    private volatile Consumer<Checkpoint> afterSend;

    InterceptingProvider(StorageProvider delegate) {
        this.delegate = delegate;
    }

    /**
     * The next checkpoint of {@code instanceId} that sends orchestration messages is not committed: its messages are
     * sent, {@code afterSend} runs, and the commit fails as if the worker had crashed (the work item is released so
     * that it comes back at once instead of after the lease).
     */
    void crashOnce(String instanceId, Consumer<Checkpoint> afterSend) {
        this.afterSend = afterSend;
        this.crashInstanceId = instanceId;
    }

    /** Whether a committed checkpoint consumed the message with this id (the worker processed it). */
    boolean consumed(String messageId) {
        return consumed.contains(messageId);
    }

    boolean crashed(String instanceId) {
        return crashed.contains(instanceId);
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        List<Checkpoint> forwarded = new ArrayList<>();
        int crashAt = -1;
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint c = checkpoints.get(i);
            if (crashAt < 0 && c.workItem().instanceId().equals(crashInstanceId) && !c.orchestrationMessages().isEmpty()
                    && crashed.add(c.workItem().instanceId())) {
                crashAt = i;
            } else {
                forwarded.add(c);
            }
        }
        CommitResult crashResult = null;
        if (crashAt >= 0) {
            Checkpoint c = checkpoints.get(crashAt);
            c.orchestrationMessages().forEach(delegate::sendOrchestrationMessage);
            afterSend.accept(c);
            delegate.abandonOrchestrationWorkItem(c.workItem(), Duration.ZERO);
            crashResult = new CommitResult.Refused(new StorageException("Simulated crash between sending the outbound "
                    + "messages and committing the checkpoint of '" + c.workItem().instanceId() + "'", null));
        }
        List<CommitResult> results = forwarded.isEmpty() ? List.of() : delegate.commitCheckpoints(forwarded);
        List<CommitResult> out = new ArrayList<>(checkpoints.size());
        int next = 0;
        for (int i = 0; i < checkpoints.size(); i++) {
            if (i == crashAt) {
                out.add(crashResult);
                continue;
            }
            CommitResult r = results.get(next++);
            if (r.isCommitted()) {
                checkpoints.get(i).workItem().messages().forEach(m -> consumed.add(m.messageId()));
            }
            out.add(r);
        }
        return out;
    }

    // ---- forwarded as is -----------------------------------------------------------------------------------------

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
        // the suite closes the provider under test
    }

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        delegate.createInstance(state, startMessage, replaceableStatuses);
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
    public long purgeInstances(PurgeCriteria criteria) {
        return delegate.purgeInstances(criteria);
    }

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        return delegate.getHistory(instanceId);
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
}
