package dev.taskhub.provider.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.support.StuckFacts;

import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What Azure Storage lets the stuck-instance query see besides pending instances (found by the SPI's default, a query
 * of the instances table): overdue timers, by peeking at the head of each control queue (up to 32 messages per queue,
 * one request each). A peek shows only messages that are visible, i.e. due and not received by a worker: a
 * {@code TimerFired} message visible there since before the cutoff has not been applied because no worker reads that
 * partition. A timer a worker has received (and buffers in its memory) is invisible to a peek, and so are locks (held in
 * the owning worker's memory) and delivery counts of received messages: {@code LOCKED_PAST_LEASE} and
 * {@code REPEATED_FAILURES} are not examined. Thread-safe.
 */
final class StuckPeek {
    static final Set<StuckReason> EXAMINED = Set.of(StuckReason.PENDING, StuckReason.OVERDUE_TIMER);
    private static final int PEEK = 32;

    private final List<QueueClient> controlQueues;
    private final PayloadStore payloads;
    private final Function<String, Optional<InstanceState>> instances;

    StuckPeek(List<QueueClient> controlQueues, PayloadStore payloads, Function<String, Optional<InstanceState>> instances) {
        this.controlQueues = controlQueues;
        this.payloads = payloads;
        this.instances = instances;
    }

    /** Adds the overdue timers to {@code pending} (the default's answer), ordered and cut as the query asks. */
    StuckInstances find(StuckQuery query, Instant now, StuckInstances pending) {
        Instant cutoff = now.minus(query.threshold());
        Map<String, Instant> overdue = new HashMap<>();
        for (QueueClient queue : controlQueues) {
            List<PeekedMessageItem> peeked = AzureErrors.call("peeking at a control queue",
                    () -> queue.peekMessages(PEEK, null, null).stream().toList());
            for (PeekedMessageItem item : peeked) {
                Envelope e;
                try {
                    e = Envelope.fromQueueText(item.getBody().toString(), payloads);
                } catch (RuntimeException unreadable) {
                    continue;   // the owner drops it when it reads it
                }
                if (e.event() instanceof HistoryEvent.TimerFired fired && fired.fireAt().isBefore(cutoff)) {
                    overdue.merge(e.instanceId(), fired.fireAt(), (a, b) -> a.isBefore(b) ? a : b);
                }
            }
        }
        Map<String, StuckInstance> found = new LinkedHashMap<>();
        pending.instances().forEach(s -> found.put(s.instanceId(), s));
        overdue.forEach((id, due) -> instances.apply(id).filter(s -> s.status() == RuntimeStatus.RUNNING).ifPresent(s -> {
            StuckInstance before = found.get(id);
            Set<StuckReason> reasons = EnumSet.of(StuckReason.OVERDUE_TIMER);
            if (before != null) {
                reasons.addAll(before.reasons());
            }
            found.put(id, new StuckInstance(id, s.name(), s.status(), reasons, s.createdAt(), due, null, 0));
        }));
        return StuckFacts.answer(found.values(), query, now, EXAMINED, pending.more());
    }
}
