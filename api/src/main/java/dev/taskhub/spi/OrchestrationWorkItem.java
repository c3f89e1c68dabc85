package dev.taskhub.spi;

import java.time.Instant;
import java.util.List;

/**
 * One locked instance with its visible pending messages, in arrival order.
 *
 * @param instanceId     the locked instance
 * @param lockToken      identifies this lock; commits, renewals and abandons with an older token are refused
 * @param lockedUntil    when the lease expires unless renewed
 * @param instance       the instance's stored state, or null when no instance row exists yet (sub-orchestration start,
 *                       or a message for an unknown instance)
 * @param messages       the messages delivered in this work item, ordered by enqueue order
 * @param historyVersion version of the stored history at lock time; changes whenever history is written, so a worker
 *                       holding a copy with this version can skip {@link HistoryStore#getHistory}
 * @param deliveryCount  how many times the most-delivered of these messages has been locked, including this time
 */
public record OrchestrationWorkItem(String instanceId, String lockToken, Instant lockedUntil, InstanceState instance,
                                    List<TaskMessage> messages, long historyVersion, int deliveryCount) {
    public OrchestrationWorkItem {
        messages = List.copyOf(messages);
    }
}
