package dev.taskhub.internal;

import dev.taskhub.ConfigurationException;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The quarantine records the dispatchers write before they dead-letter poison messages. A record's id is derived from
 * the instance and the first message's id, so writing it again after a crash (the messages come back with a higher
 * delivery count) replaces it instead of adding a second one.
 */
final class Quarantine {
    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

    private final StorageProvider provider;
    private final AtomicBoolean warnedUnsupported = new AtomicBoolean();

    Quarantine(StorageProvider provider) {
        this.provider = provider;
    }

    /** The record of an orchestration work item that is dead-lettered; {@code lastError} may be null. */
    static QuarantineRecord of(OrchestrationWorkItem item, String executionId, int max, String lastError, Instant now) {
        List<QuarantinedMessage> messages = item.messages().stream()
                .map(m -> new QuarantinedMessage(m.messageId(), m.executionId(), m.event(), m.visibleAt())).toList();
        String reason = "The messages " + eventTypes(item) + " were delivered " + item.deliveryCount() + " times without a successful "
                + "checkpoint (maximum " + max + ")." + (lastError == null ? " The worker that quarantined them did not see the error; "
                + "check the worker logs." : " Last error: " + lastError);
        return new QuarantineRecord(Ids.derived("quarantine", item.instanceId(), item.messages().get(0).messageId()),
                item.instanceId(), executionId, QuarantineRecord.Kind.ORCHESTRATION, messages, item.deliveryCount(), reason, now);
    }

    /** The distinct event types of the work item's messages, as the poison reasons name them: {@code [TaskCompleted, ...]}. */
    static String eventTypes(OrchestrationWorkItem item) {
        return item.messages().stream().map(m -> m.event().eventType()).distinct().toList().toString();
    }

    /** The record of an activity message that is dead-lettered. */
    static QuarantineRecord of(ActivityWorkItem item, int max, Instant now) {
        ActivityRequest r = item.request();
        QuarantinedMessage message = new QuarantinedMessage(r.messageId(), r.executionId(),
                new HistoryEvent.TaskScheduled(r.taskId(), now, r.name(), r.input()), null);
        String reason = "Activity '" + r.name() + "' (task " + r.taskId() + ") was delivered " + item.deliveryCount()
                + " times without completing (maximum " + max + "): the workers running it stopped or lost its lease each "
                + "time. Check the worker logs.";
        return new QuarantineRecord(Ids.derived("quarantine", r.instanceId(), r.messageId()), r.instanceId(), r.executionId(),
                QuarantineRecord.Kind.ACTIVITY, List.of(message), item.deliveryCount(), reason, now);
    }

    /**
     * Writes the record. A provider that cannot keep records (the SPI's default) is warned about once and the messages
     * are dead-lettered without one, as before quarantine existed; a storage failure is thrown, so that the caller
     * consumes nothing and the messages come back.
     */
    void put(QuarantineRecord record) {
        try {
            provider.putQuarantineRecord(record);
            log.warn("Quarantined {} message(s) of instance '{}' as record {}: {}", record.messages().size(), record.instanceId(),
                    record.id(), record.reason());
        } catch (ConfigurationException e) {
            if (warnedUnsupported.compareAndSet(false, true)) {
                log.warn("Poison messages are dead-lettered without a quarantine record: {}", e.getMessage());
            }
        }
    }
}
