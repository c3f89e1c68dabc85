package dev.taskhub.provider.azurestorage;

import dev.taskhub.spi.support.Backoff;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.UpdateMessageResult;
import dev.taskhub.TaskhubException;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.CommitResult;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The message queues: the orchestration queue (the partitioned control queues, read through {@link ControlQueues},
 * which holds the per-instance locks) and the activity queue (the work-item queue, one lock per message, tracked here
 * by lock token). Lock calls poll with a back-off between {@code pollMin} and {@code pollMax} while there is no work.
 */
final class QueueStore {
    private static final Logger LOG = LoggerFactory.getLogger(QueueStore.class);

    private final AzureSettings settings;
    private final QueueClient workItems;
    private final PayloadStore payloads;
    private final PartitionManager partitions;
    private final ControlQueues control;
    private final Enqueuer enqueuer;
    private final Map<String, ActivityLock> activityLocks = new ConcurrentHashMap<>();
    private final Backoff orchestrationIdle;
    private final Backoff activityIdle;
    /** When the next activity receive may go out (shared by the lock calls). */
    private final ReceivePacer activityPacer;
    private volatile boolean closed;

    /** A locked work-item queue message; the pop receipt changes on every renewal. */
    private static final class ActivityLock {
        final String queueMessageId;
        final String text;
        final Envelope envelope;
        volatile String popReceipt;
        volatile Instant expiry;

        ActivityLock(String queueMessageId, String text, Envelope envelope, String popReceipt, Instant expiry) {
            this.queueMessageId = queueMessageId;
            this.text = text;
            this.envelope = envelope;
            this.popReceipt = popReceipt;
            this.expiry = expiry;
        }
    }

    QueueStore(AzureSettings settings, QueueClient workItems, PayloadStore payloads, PartitionManager partitions,
               ControlQueues control, Enqueuer enqueuer) {
        this.settings = settings;
        this.workItems = workItems;
        this.payloads = payloads;
        this.partitions = partitions;
        this.control = control;
        this.enqueuer = enqueuer;
        this.orchestrationIdle = new Backoff(settings.pollMin(), settings.pollMax());
        this.activityIdle = new Backoff(settings.pollMin(), settings.pollMax());
        this.activityPacer = new ReceivePacer(settings.pollMin());
    }

    void sendOrchestrationMessage(TaskMessage message) {
        enqueuer.sendOrchestrationMessage(message);
    }

    List<OrchestrationWorkItem> lockOrchestrations(int max, Duration lease, Duration maxWait) {
        if (max <= 0) {
            return List.of();
        }
        partitions.demand();
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!closed) {
            List<OrchestrationWorkItem> items = control.round(max, lease);
            if (!items.isEmpty()) {
                orchestrationIdle.reset();
                return items;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            Duration idle = orchestrationIdle.next();
            if (!sleep(min(idle, Duration.ofNanos(left)))) {
                return List.of();
            }
        }
        return List.of();
    }

    Instant renewOrchestration(OrchestrationWorkItem workItem, Duration lease) {
        return control.renew(workItem, lease);
    }

    void abandonOrchestration(OrchestrationWorkItem workItem, Duration delay) {
        control.abandon(workItem, delay);
    }

    List<ActivityWorkItem> lockActivities(int max, Duration lease, Duration maxWait) {
        if (max <= 0) {
            return List.of();
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        int seconds = (int) Math.max(1, (lease.toMillis() + 999) / 1000);
        Instant stale = Instant.now().minusSeconds(300);
        activityLocks.values().removeIf(l -> l.expiry.isBefore(stale)); // holders that never came back
        while (!closed) {
            long pause = activityPacer.nanosUntilDue();
            if (pause > 0 && (pause > deadline - System.nanoTime() || !sleep(Duration.ofNanos(pause)))) {
                return List.of();   // the last receive drained the queue a moment ago
            }
            int asked = Math.min(ReceivePacer.RECEIVE_MAX, max);
            List<QueueMessageItem> received = new ArrayList<>();
            AzureErrors.run("receiving activity work items", () ->
                    workItems.receiveMessages(asked, Duration.ofSeconds(seconds), null, null).forEach(received::add));
            activityPacer.received(received.size(), asked);
            if (!received.isEmpty()) {
                activityIdle.reset();
                List<ActivityWorkItem> items = new ArrayList<>();
                for (QueueMessageItem m : received) {
                    String text = m.getBody().toString();
                    Envelope envelope;
                    try {
                        envelope = Envelope.fromQueueText(text, payloads);
                    } catch (RuntimeException e) {
                        LOG.error("Dropping unreadable activity message {}: {}", m.getMessageId(), e.toString());
                        AzureErrors.run("deleting an unreadable message", () -> workItems.deleteMessage(m.getMessageId(), m.getPopReceipt()));
                        continue;
                    }
                    Instant expiry = Instant.now().plusSeconds(seconds);
                    String token = UUID.randomUUID().toString();
                    activityLocks.put(token, new ActivityLock(m.getMessageId(), text, envelope, m.getPopReceipt(), expiry));
                    items.add(new ActivityWorkItem(token, expiry, envelope.toRequest(), (int) m.getDequeueCount()));
                }
                if (!items.isEmpty()) {
                    return items;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            Duration idle = activityIdle.next();
            if (!sleep(min(idle, Duration.ofNanos(left)))) {
                return List.of();
            }
        }
        return List.of();
    }

    private ActivityLock activityLock(ActivityWorkItem item) {
        ActivityLock lock = activityLocks.get(item.lockToken());
        if (lock == null) {
            throw new LeaseLostException(item.request().messageId(), "The lock on activity message '" + item.request().messageId()
                    + "' is no longer held (completed, abandoned, or never locked by this provider).");
        }
        return lock;
    }

    Instant renewActivity(ActivityWorkItem workItem, Duration lease) {
        ActivityLock lock = activityLock(workItem);
        int seconds = (int) Math.max(1, (lease.toMillis() + 999) / 1000);
        try {
            UpdateMessageResult r = workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ofSeconds(seconds));
            lock.popReceipt = r.getPopReceipt();
            lock.expiry = Instant.now().plusSeconds(seconds);
            return lock.expiry;
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status == 404 || status == 400) {
                activityLocks.remove(workItem.lockToken());
                throw new LeaseLostException(workItem.request().messageId(), "The lock on activity message '"
                        + workItem.request().messageId() + "' expired and another worker took it.");
            }
            throw AzureErrors.wrap("renewing an activity lock", e);
        }
    }

    void abandonActivity(ActivityWorkItem workItem, Duration delay) {
        ActivityLock lock = activityLocks.remove(workItem.lockToken());
        if (lock == null) {
            return;
        }
        long seconds = delay == null || delay.isNegative() ? 0 : (delay.toMillis() + 999) / 1000;
        try {
            workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ofSeconds(Math.min(seconds, ControlQueues.MAX_VISIBILITY.toSeconds())));
        } catch (RuntimeException e) {
            LOG.debug("Abandoning activity message {} failed: {}", lock.queueMessageId, e.toString());
        }
    }

    List<CommitResult> completeActivities(List<ActivityResult> results) {
        List<CommitResult> out = new ArrayList<>();
        for (ActivityResult result : results) {
            ActivityWorkItem item = result.workItem();
            ActivityLock lock = activityLocks.get(item.lockToken());
            try {
                if (lock == null) {
                    throw new LeaseLostException(item.request().messageId(), "The lock on activity message '"
                            + item.request().messageId() + "' is no longer held; the result was not applied.");
                }
                if (!lock.expiry.isAfter(Instant.now().plusSeconds(1))) {
                    // the lease ran out: still ours only if nobody received the message since (its pop receipt still works)
                    try {
                        lock.popReceipt = workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ofSeconds(30)).getPopReceipt();
                    } catch (RuntimeException e) {
                        if (AzureErrors.status(e) == 0) {
                            throw AzureErrors.wrap("checking an activity lock", e);
                        }
                        activityLocks.remove(item.lockToken());
                        throw new LeaseLostException(item.request().messageId(), "The lock on activity message '"
                                + item.request().messageId() + "' expired and another worker took it; the result was not applied.");
                    }
                }
                // response first, then delete: a crash in between only causes a duplicate completion, which is dropped
                enqueuer.sendOrchestrationMessage(result.response());
                try {
                    workItems.deleteMessage(lock.queueMessageId, lock.popReceipt);
                } catch (RuntimeException e) {
                    if (AzureErrors.status(e) == 0) {
                        throw AzureErrors.wrap("deleting a completed activity message", e);
                    }
                    LOG.debug("Completed activity message {} was already gone (HTTP {})", lock.queueMessageId, AzureErrors.status(e));
                }
                activityLocks.remove(item.lockToken());
                if (lock.envelope.blob() != null) {
                    payloads.deleteQuietly(lock.envelope.blob());
                }
                out.add(CommitResult.COMMITTED);
            } catch (TaskhubException e) {
                out.add(new CommitResult.Refused(e));
            }
        }
        return out;
    }

    /** Forgets owned partitions, buffered messages and instance locks (the hub is being deleted). */
    void clear() {
        partitions.reset();
        control.clear();
    }

    /** Stops the lock calls, releases the partitions (buffered messages become visible again) and the activity locks. */
    void close() {
        closed = true;
        try {
            if (partitions.started()) {
                control.close();
            }
            partitions.close();
        } catch (RuntimeException e) {
            LOG.debug("Releasing partitions on close failed: {}", e.toString());
        }
        for (ActivityLock lock : activityLocks.values()) {
            try {
                workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ZERO);
            } catch (RuntimeException ignored) {
                // visible again when its timeout ends
            }
        }
        activityLocks.clear();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Sleeps; returns false (with the interrupt flag set) when interrupted. */
    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
