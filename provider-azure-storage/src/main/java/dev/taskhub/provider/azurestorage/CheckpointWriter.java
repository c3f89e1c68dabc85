package dev.taskhub.provider.azurestorage;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.TaskhubException;
import dev.taskhub.provider.azurestorage.InstanceRepository.InstanceRow;
import dev.taskhub.provider.azurestorage.InstanceRepository.RowWrite;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Commits checkpoints in the order whose replay after a crash is idempotent (there is no transaction across tables and
 * queues): (1) check the lock, send outbound messages and upload large payloads under unique blob names, (2) append
 * history in batches that each carry an ETag condition on the sentinel row (a stale writer gets
 * {@link LeaseLostException} at its first batch and writes nothing), (3) write the instance row on the ETag read at
 * lock time (a late writer never overwrites a newer state), (4) delete the consumed queue messages. See
 * {@code docs/azure-storage.md}.
 */
final class CheckpointWriter {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);
    /** The longest an instance row's last-updated time lags behind its last episode when nothing else changed. */
    static final Duration ROW_REFRESH = Duration.ofSeconds(5);

    private final ControlQueues control;
    private final Enqueuer enqueuer;
    private final HistoryRepository history;
    private final InstanceRepository instances;
    private final PayloadStore payloads;
    volatile TestHooks hooks = TestHooks.NONE;

    CheckpointWriter(ControlQueues control, Enqueuer enqueuer, HistoryRepository history, InstanceRepository instances,
                     PayloadStore payloads) {
        this.control = control;
        this.enqueuer = enqueuer;
        this.history = history;
        this.instances = instances;
        this.payloads = payloads;
    }

    /**
     * Whether {@code state} differs from the stored row only in its last-updated time, and that by less than
     * {@link #ROW_REFRESH}: such an episode (an activity result that schedules the next activity, say) leaves the row
     * and the sentinel's state copy as they are, which saves a request per episode.
     */
    static boolean onlyTouched(InstanceState state, InstanceRow row) {
        if (row == null || row.state() == null || row.state().status() == RuntimeStatus.PENDING) {
            // a pending row as its start wrote it tells a lock that no history was written (events raised before a
            // scheduled start are history): the first checkpoint always writes the row
            return false;
        }
        Instant stored = row.state().lastUpdatedAt();
        return state.lastUpdatedAt().isBefore(stored.plus(ROW_REFRESH))
                && state.toBuilder().lastUpdatedAt(stored).build().equals(row.state());
    }

    List<CommitResult> commit(List<Checkpoint> checkpoints) {
        List<CommitResult> out = new ArrayList<>();
        for (Checkpoint checkpoint : checkpoints) {
            try {
                commit(checkpoint);
                out.add(CommitResult.COMMITTED);
            } catch (TaskhubException e) {
                out.add(new CommitResult.Refused(e));
            }
        }
        return out;
    }

    private void commit(Checkpoint checkpoint) {
        OrchestrationWorkItem item = checkpoint.workItem();
        String id = item.instanceId();
        ControlQueues.Lock lock = control.validate(item);
        long before = RequestCounter.threadCount();
        List<String> uploaded = new ArrayList<>();
        boolean historyWritten = false;
        try {
            // (1) outbound messages: if we crash later, the episode is replayed and sends them again (duplicates are
            // dropped by message id on the receiving side)
            for (ActivityRequest request : checkpoint.activityRequests()) {
                enqueuer.sendActivity(request);
            }
            for (TaskMessage message : checkpoint.orchestrationMessages()) {
                if (message.instanceId().equals(id)
                        && (message.visibleAt() == null || message.visibleAt().isBefore(Instant.now().plusSeconds(3)))) {
                    Envelope envelope = Envelope.of(message);
                    String text = envelope.toQueueText(payloads);
                    int partition = enqueuer.partitionOf(message.instanceId());
                    var sent = enqueuer.send(enqueuer.controlQueue(partition), text, message.visibleAt(),
                            "sending a message to '" + message.instanceId() + "'");
                    control.adopt(partition, sent.getMessageId(), sent.getPopReceipt(), text, envelope.sentAs(text));
                } else {
                    enqueuer.sendOrchestrationMessage(message);
                }
            }
            // large state payloads go to new blobs before anything is fenced (unchanged ones are referred to again)
            InstanceRow seen = lock.row;
            Map<String, Object> stateProps = checkpoint.state() == null || onlyTouched(checkpoint.state(), seen) ? null
                    : StateCodec.encode(checkpoint.state(), payloads, seen == null ? null : seen.state(),
                            seen == null ? null : seen.props(), uploaded);
            // (2) history, every batch conditional on the sentinel being unchanged: the commit point of the episode
            long version = seen == null ? -1 : seen.historyVersion();
            Sentinel sentinel = lock.sentinel;
            if (checkpoint.changesHistory()) {
                List<String> consumed = item.messages().stream().map(TaskMessage::messageId).collect(Collectors.toList());
                sentinel = history.append(id, lock.sentinel, checkpoint.newEvents(), checkpoint.replaceHistory(), consumed, stateProps,
                        uploaded);
                version = sentinel.version();
            }
            historyWritten = true;
            // (3) the instance row, conditional on the ETag read at lock time (repaired from the sentinel copy if we
            // crash before this)
            hooks.beforeInstanceRow(id);
            InstanceRow row = seen;
            if (stateProps != null) {
                long resetSeq = seen == null ? 0 : seen.resetSeq();
                RowWrite written = instances.writeRow(id, stateProps, version, resetSeq, seen == null ? null : seen.etag());
                if (written.superseded() && !checkpoint.changesHistory()) {
                    throw new LeaseLostException(id, "The instance row of '" + id + "' was changed by another writer since it was "
                            + "locked; the checkpoint was not applied.");
                }
                row = written.superseded() ? null
                        : InstanceRepository.writtenRow(checkpoint.state(), stateProps, version, resetSeq, written.etag());
            }
            if (row != null && sentinel.exists()) {
                control.remember(lock, sentinel, row);
            }
            // (4) consumed messages
            control.finish(lock);
            if (checkpoint.changesHistory() && stateProps != null && seen != null) {
                // neither the row nor the sentinel refers to the replaced payloads any more
                Set<String> replaced = StateCodec.blobs(seen.props());
                replaced.removeAll(StateCodec.blobs(stateProps));
                replaced.forEach(payloads::deleteQuietly);
            }
        } catch (LeaseLostException e) {
            if (!historyWritten) {
                uploaded.forEach(payloads::deleteQuietly); // refused before anything referred to them
            }
            control.forget(lock);
            throw e;
        } catch (RuntimeException e) {
            control.unlock(lock, false);
            throw e instanceof TaskhubException te ? te : AzureErrors.wrap("committing a checkpoint", e);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Checkpoint of '{}' ({} events, {} activities, {} messages) used {} storage requests", id,
                    checkpoint.newEvents().size(), checkpoint.activityRequests().size(), checkpoint.orchestrationMessages().size(),
                    RequestCounter.threadCount() - before);
        }
    }
}
