package dev.taskhub.quarantine;

import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.QuarantineRecordNotFoundException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts the messages of a quarantine record back to work, then deletes the record. Thread-safe; it does not own the
 * provider.
 *
 * <ul>
 *   <li><b>Orchestration record</b> (the instance failed with {@code PoisonMessage}): when the instance is FAILED, a
 *       rewind and then the quarantined messages, in one send, so the rewound instance applies them in their order;
 *       when it is pending, running or suspended (rewound meanwhile), only the messages. Refused when the instance completed or was terminated, no longer
 *       exists, or runs another execution (restarted or continued as new): the messages can do nothing there.</li>
 *   <li><b>Activity record</b> (the task failed with {@code PoisonMessage}): the orchestration has applied that
 *       failure, so a second result for the task would be dropped. When the instance is FAILED, it is rewound, which
 *       runs the failed activity again under the same task id; otherwise replay is refused (the orchestration handled
 *       the failure and went on): discard the record.</li>
 * </ul>
 * Each message is sent under an id derived from the record and its original id ({@link #replayedMessageId}): not the
 * original, which a store may remember as consumed (Azure Storage drops a message whose id its last checkpoints
 * consumed, and the dead-letter checkpoint consumed these), but the same on every replay of the record. The events keep
 * what the engine deduplicates by (an external event's own message id, a completion's task id), so the record is
 * deleted after the send and a crash in between only means it is replayed again: the repeated messages are dropped and
 * a repeated rewind of a running instance does nothing.
 */
public final class QuarantineReplayer {
    private final StorageProvider provider;
    private final Clock clock;

    public QuarantineReplayer(StorageProvider provider, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Replays the record as described above; {@link QuarantineRecordNotFoundException} when there is none. */
    public QuarantineReplay replay(String recordId) {
        QuarantineRecord record = provider.getQuarantineRecord(recordId)
                .orElseThrow(() -> new QuarantineRecordNotFoundException(recordId));
        InstanceState state = provider.getInstance(record.instanceId())
                .orElseThrow(() -> new InstanceNotFoundException(record.instanceId()));
        RuntimeStatus status = state.status();
        if (record.executionId() != null && state.executionId() != null && !record.executionId().equals(state.executionId())) {
            throw refused(record, status, "instance '" + record.instanceId() + "' runs another execution now (it was restarted "
                    + "or continued as new), which the messages do not belong to");
        }
        boolean rewind = status == RuntimeStatus.FAILED;
        List<TaskMessage> send = new ArrayList<>();
        if (rewind) {
            send.add(new TaskMessage(Ids.random(), record.instanceId(), state.executionId(), new HistoryEvent.ExecutionRewound(-1, clock.instant(),
                    "Replaying quarantine record " + record.id()), null));
        }
        int resent = 0;
        if (record.kind() == QuarantineRecord.Kind.ORCHESTRATION) {
            if (status.isTerminal() && !rewind) {
                throw refused(record, status, "instance '" + record.instanceId() + "' is " + status.wireName()
                        + " and a finished instance applies no messages");
            }
            record.messages().forEach(m -> send.add(new TaskMessage(replayedMessageId(record, m.messageId()), record.instanceId(),
                    m.executionId(), m.event(), m.visibleAt())));
            resent = record.messages().size();
        } else if (!rewind) {
            throw refused(record, status, "the orchestration already applied the activity's PoisonMessage failure and is "
                    + status.wireName() + ": a second result for the task would be dropped (rewind a failed instance to run "
                    + "its failed activities again)");
        }
        provider.sendOrchestrationMessages(send);
        provider.deleteQuarantineRecord(record.id());
        return new QuarantineReplay(record.id(), record.instanceId(), record.kind(), rewind, resent);
    }

    /** The id a replay sends a quarantined message under: derived from the record's id and the message's original id. */
    public static String replayedMessageId(QuarantineRecord record, String originalMessageId) {
        return Ids.derived("replayed", record.id(), originalMessageId);
    }

    private static InvalidInstanceStateException refused(QuarantineRecord record, RuntimeStatus status, String why) {
        return new InvalidInstanceStateException(record.instanceId(), status, "Quarantine record " + record.id()
                + " cannot be replayed: " + why + ". Discard it with 'taskhub quarantine discard " + record.id() + "'.");
    }
}
