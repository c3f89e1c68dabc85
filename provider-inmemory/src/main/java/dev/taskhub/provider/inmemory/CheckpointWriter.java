package dev.taskhub.provider.inmemory;

import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Commits checkpoints atomically: each is checked (lock and history version) and then applied to every store — state,
 * history, consumed and outbound messages — while the hub lock is held, so nobody sees half of one.
 */
final class CheckpointWriter {
    private final HubState hub;
    private final InstanceRepository instances;
    private final HistoryRepository history;
    private final QueueStore queues;

    CheckpointWriter(HubState hub, InstanceRepository instances, HistoryRepository history, QueueStore queues) {
        this.hub = hub;
        this.instances = instances;
        this.history = history;
        this.queues = queues;
    }

    List<CommitResult> commit(List<Checkpoint> checkpoints) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            List<CommitResult> results = new ArrayList<>(checkpoints.size());
            for (Checkpoint checkpoint : checkpoints) {
                try {
                    apply(checkpoint, now);
                    results.add(CommitResult.COMMITTED);
                } catch (LeaseLostException e) {
                    results.add(new CommitResult.Refused(e));
                }
            }
            queues.skipIfIdle();
            return results;
        } finally {
            hub.lock.unlock();
        }
    }

    private void apply(Checkpoint checkpoint, Instant now) {
        OrchestrationWorkItem item = checkpoint.workItem();
        String id = item.instanceId();
        QueueStore.Queue queue = queues.held(id, item.lockToken(), now);
        if (history.version(id) != item.historyVersion()) {
            throw new LeaseLostException(id, "The history of instance '" + id + "' changed since it was locked; nothing was applied.");
        }
        // Everything is checked: apply.
        HubState.Instance instance = checkpoint.state() != null ? instances.save(id, checkpoint.state()) : hub.instances.get(id);
        if (instance != null && checkpoint.changesHistory()) {
            history.append(instance, checkpoint.newEvents(), checkpoint.replaceHistory(), item.historyVersion() + 1);
        }
        queues.consume(queue, id, now);
        checkpoint.orchestrationMessages().forEach(m -> queues.enqueue(m, now));
        checkpoint.activityRequests().forEach(r -> queues.enqueueActivity(r, now));
    }
}
