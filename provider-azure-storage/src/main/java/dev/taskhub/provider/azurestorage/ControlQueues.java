package dev.taskhub.provider.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.UpdateMessageResult;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.provider.azurestorage.InstanceRepository.InstanceRow;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads the owned control queues, buffers their messages per instance and hands out at most one lock per instance at
 * a time (an in-process lock table; safe because a partition has one owner). Messages of a locked instance stay in
 * the buffer for a later round. Messages not yet due stay invisible in the queue (re-delayed when more than 7 days
 * away) or, when due within a few seconds, in the buffer. {@link QueueStore} drives it; when it locks an instance it
 * reads (and, after a crash between history and row, repairs) the instance row through {@link InstanceRepository} and
 * the history sentinel through {@link HistoryRepository}; the {@link CheckpointWriter} validates and releases its locks.
 */
final class ControlQueues implements PartitionManager.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ControlQueues.class);
    static final Duration MAX_VISIBILITY = Duration.ofDays(7).minusMinutes(1);
    private static final Duration HOLD_IN_BUFFER = Duration.ofSeconds(5);
    /** Received-but-undelivered messages kept in memory at most (as DTFx's control-queue buffer threshold). */
    static final int MAX_BUFFERED = 2000;

    /**
     * Order of messages inside a work item: an ExecutionStarted first, then the messages the instance's previous
     * checkpoint sent to itself (continue-as-new carries unprocessed events over; they were received before anything
     * still in the buffer), then by send sequence.
     */
    static final Comparator<Held> DELIVERY_ORDER = Comparator
            .comparingInt((Held h) -> h.envelope.event() instanceof dev.taskhub.history.HistoryEvent.ExecutionStarted ? 0 : 1)
            .thenComparingInt(h -> h.adopted ? 0 : 1)
            .thenComparingLong(h -> h.envelope.seq());

    /** One queue message this process holds (buffered or locked). Mutable fields are guarded by the monitor. */
    static final class Held {
        final int partition;
        final String queueMessageId;
        final String text;
        final Envelope envelope;
        String popReceipt;
        long dequeueCount;
        int localRedeliveries;
        boolean adopted;
        Lock lockedBy;

        Held(int partition, QueueMessageItem item, String text, Envelope envelope) {
            this(partition, item.getMessageId(), item.getPopReceipt(), item.getDequeueCount(), text, envelope);
        }

        Held(int partition, String queueMessageId, String popReceipt, long dequeueCount, String text, Envelope envelope) {
            this.partition = partition;
            this.queueMessageId = queueMessageId;
            this.text = text;
            this.envelope = envelope;
            this.popReceipt = popReceipt;
            this.dequeueCount = dequeueCount;
        }

        boolean due(Instant now) {
            return envelope.visibleAt() == null || !envelope.visibleAt().isAfter(now);
        }
    }

    /** One live instance lock. */
    static final class Lock {
        final String token = UUID.randomUUID().toString();
        final String instanceId;
        final int partition;
        final List<Held> held;
        Instant expiry;
        /** The history sentinel read when locking: its ETag fences the checkpoint's history batches. */
        Sentinel sentinel;
        /** The instance row read (or repaired) when locking, or null: its ETag fences the checkpoint's row write. */
        InstanceRow row;

        Lock(String instanceId, int partition, List<Held> held, Instant expiry) {
            this.instanceId = instanceId;
            this.partition = partition;
            this.held = held;
            this.expiry = expiry;
        }
    }

    private final List<QueueClient> queues;
    private final PartitionManager partitions;
    private final HistoryRepository history;
    private final InstanceRepository instances;
    private final PayloadStore payloads;
    private final Map<String, Held> known = new HashMap<>();
    private final Map<String, Lock> locks = new HashMap<>();
    private final ReentrantLock receiving = new ReentrantLock();
    private final Map<String, Instant> backoff = new HashMap<>();
    /** Instances whose last checkpoint was refused: their next lock reads everything. */
    private final Set<String> refusedSinceLock = new HashSet<>();
    /** Per partition, when its next receive may go out. */
    private final List<ReceivePacer> pacers = new ArrayList<>();
    /** What the last checkpoints wrote, so the next episode of an instance need not read it back. */
    private final EpisodeCache written = new EpisodeCache(16L * 1024 * 1024);
    private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);

    ControlQueues(List<QueueClient> queues, PartitionManager partitions, HistoryRepository history,
                  InstanceRepository instances, PayloadStore payloads, Duration receivePause) {
        this.queues = queues;
        queues.forEach(q -> pacers.add(new ReceivePacer(receivePause)));
        this.partitions = partitions;
        this.history = history;
        this.instances = instances;
        this.payloads = payloads;
    }

    QueueClient queue(int partition) {
        return queues.get(partition);
    }

    /** One round: receive from owned partitions, then lock up to {@code max} instances with due messages. */
    List<OrchestrationWorkItem> round(int max, Duration lease) {
        receive(lease);
        List<Lock> reserved = reserve(max, lease);
        List<OrchestrationWorkItem> items = new ArrayList<>();
        RuntimeException firstFailure = null;
        for (Lock lock : reserved) {
            try {
                OrchestrationWorkItem item = complete(lock);
                if (item != null) {
                    items.add(item);
                }
            } catch (RuntimeException e) {
                unlock(lock, false);
                synchronized (this) {
                    // do not let one unreadable instance starve the others
                    backoff.put(lock.instanceId, Instant.now().plus(FAILURE_BACKOFF));
                }
                LOG.warn("Locking instance '{}' failed, retrying it in {} s: {}", lock.instanceId, FAILURE_BACKOFF.toSeconds(), e.toString());
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (items.isEmpty() && firstFailure != null) {
            throw firstFailure;
        }
        return items;
    }

    private void receive(Duration lease) {
        synchronized (this) {
            if (known.size() >= MAX_BUFFERED) {
                return; // enough buffered work; let the dispatchers drain it first
            }
        }
        if (!receiving.tryLock()) {
            return; // another thread is receiving; it fills the shared buffer
        }
        try {
            int visibility = (int) Math.max(lease.toSeconds(), partitions.leaseDuration().toSeconds());
            for (int p : partitions.readablePartitions()) {
                if (pacers.get(p).nanosUntilDue() > 0) {
                    continue; // drained a moment ago
                }
                List<QueueMessageItem> batch = new ArrayList<>();
                AzureErrors.run("receiving from control queue " + p, () -> queues.get(p)
                        .receiveMessages(ReceivePacer.RECEIVE_MAX, Duration.ofSeconds(visibility), null, null).forEach(batch::add));
                pacers.get(p).received(batch.size(), ReceivePacer.RECEIVE_MAX);
                for (QueueMessageItem item : batch) {
                    ingest(p, item);
                }
            }
        } finally {
            receiving.unlock();
        }
    }

    private void ingest(int p, QueueMessageItem item) {
        synchronized (this) {
            Held existing = known.get(item.getMessageId());
            if (existing != null) {
                existing.popReceipt = item.getPopReceipt();
                existing.dequeueCount = item.getDequeueCount();
                return;
            }
        }
        String text = item.getBody().toString();
        Envelope envelope;
        try {
            envelope = Envelope.fromQueueText(text, payloads);
        } catch (RuntimeException e) {
            LOG.error("Dropping unreadable message {} from control queue {}: {}", item.getMessageId(), p, e.toString());
            AzureErrors.run("deleting an unreadable message", () -> queues.get(p).deleteMessage(item.getMessageId(), item.getPopReceipt()));
            return;
        }
        Instant now = Instant.now();
        if (envelope.visibleAt() != null && Duration.between(now, envelope.visibleAt()).compareTo(HOLD_IN_BUFFER) > 0) {
            // not due yet (timers beyond the 7-day queue limit, or a clock that runs ahead): put it back to sleep
            Duration wait = Duration.between(now, envelope.visibleAt());
            long seconds = Math.min(MAX_VISIBILITY.toSeconds(), (wait.toMillis() + 999) / 1000);
            AzureErrors.run("re-delaying a timer message", () ->
                    queues.get(p).updateMessage(item.getMessageId(), item.getPopReceipt(), text, Duration.ofSeconds(seconds)));
            return;
        }
        synchronized (this) {
            if (!known.containsKey(item.getMessageId())) {
                known.put(item.getMessageId(), new Held(p, item, text, envelope));
            }
        }
    }

    private synchronized List<Lock> reserve(int max, Duration lease) {
        Instant now = Instant.now();
        for (Lock lock : new ArrayList<>(locks.values())) {
            if (lock.expiry.isBefore(now)) {
                LOG.debug("Lock on '{}' expired; its messages are available again", lock.instanceId);
                locks.remove(lock.instanceId);
                for (Held h : lock.held) {
                    if (known.get(h.queueMessageId) == h) {
                        h.lockedBy = null;
                        h.localRedeliveries++;
                    }
                }
            }
        }
        backoff.values().removeIf(until -> until.isBefore(now));
        Map<String, List<Held>> byInstance = new LinkedHashMap<>();
        List<Held> candidates = new ArrayList<>(known.values());
        candidates.sort(Comparator.comparingLong((Held h) -> h.envelope.seq()));
        for (Held h : candidates) {
            if (h.lockedBy == null && !locks.containsKey(h.envelope.instanceId()) && h.due(now)
                    && !backoff.containsKey(h.envelope.instanceId())
                    && partitions.dispatchable(h.partition)) {
                byInstance.computeIfAbsent(h.envelope.instanceId(), k -> new ArrayList<>()).add(h);
            }
        }
        List<Lock> reserved = new ArrayList<>();
        for (Map.Entry<String, List<Held>> e : byInstance.entrySet()) {
            if (reserved.size() >= max) {
                break;
            }
            Lock lock = new Lock(e.getKey(), e.getValue().get(0).partition, e.getValue(), now.plus(lease));
            for (Held h : lock.held) {
                h.lockedBy = lock;
            }
            locks.put(lock.instanceId, lock);
            reserved.add(lock);
        }
        return reserved;
    }

    /** Reads the sentinel and instance row, drops duplicates and stale messages, and builds the work item (or null). */
    private OrchestrationWorkItem complete(Lock lock) {
        EpisodeCache.Entry remembered = written.take(lock.instanceId);
        boolean refused = refused(lock.instanceId);
        InstanceRow row = remembered != null ? remembered.row() : instances.readRow(lock.instanceId);
        Sentinel sentinel = remembered != null ? remembered.sentinel()
                : neverCheckpointed(row) && !refused ? Sentinel.EMPTY : history.readSentinel(lock.instanceId);
        List<Held> drop = new ArrayList<>();
        List<Held> keep = new ArrayList<>();
        Set<String> seenIds = new LinkedHashSet<>();
        for (Held h : lock.held) {
            boolean consumed = sentinel.consumed().contains(h.envelope.messageId());
            boolean stale = row != null && isFromEarlierIncarnation(h.envelope, row);
            if (consumed || stale) {
                drop.add(h);
            } else if (seenIds.add(h.envelope.messageId())) {
                keep.add(h);
            } else {
                drop.add(h); // the same message enqueued twice (a replayed checkpoint): deliver it once, delete both
            }
        }
        if (sentinel.exists() && sentinel.stateVersion() > (row == null ? -1 : row.historyVersion())
                && StateCodec.hasState(sentinel.properties(), Sentinel.STATE_PREFIX)) {
            // a crash (or a lost partition) hit between the history write and the instance-row write: finish step 3 now
            row = instances.repairRow(lock.instanceId, sentinel, row);
            LOG.info("Repaired the instance row of '{}' from its history sentinel (version {})", lock.instanceId, sentinel.stateVersion());
        }
        InstanceState state = row == null ? null : row.state();
        if (!drop.isEmpty()) {
            LOG.debug("Dropping {} duplicate or stale message(s) for '{}'", drop.size(), lock.instanceId);
            for (Held h : drop) {
                deleteQuietly(h);
                if (h.envelope.blob() != null) {
                    payloads.deleteQuietly(h.envelope.blob());
                }
            }
        }
        synchronized (this) {
            lock.held.removeAll(drop);
            for (Held h : drop) {
                known.remove(h.queueMessageId);
            }
            if (keep.isEmpty()) {
                locks.remove(lock.instanceId, lock);
                return null;
            }
            lock.sentinel = sentinel;
            lock.row = row;
            keep.sort(DELIVERY_ORDER);
            List<TaskMessage> messages = new ArrayList<>();
            int delivery = 1;
            for (Held h : keep) {
                messages.add(h.envelope.toMessage());
                delivery = (int) Math.max(delivery, h.dequeueCount + h.localRedeliveries);
            }
            if (LOG.isTraceEnabled()) {
                LOG.trace("Work item for '{}' (version {}): {}", lock.instanceId, sentinel.version(), messages.stream()
                        .map(m -> m.event().eventType() + (m.event() instanceof dev.taskhub.history.HistoryEvent.EventRaised r ? "(" + r.input() + ")" : "")
                                + "@" + m.executionId()).collect(java.util.stream.Collectors.toList()));
            }
            return new OrchestrationWorkItem(lock.instanceId, lock.token, lock.expiry, state, messages, sentinel.version(), delivery);
        }
    }

    /**
     * Whether the row is a new instance's, as its start wrote it: no checkpoint has written it yet, so (barring a crash
     * between a first checkpoint's history and its row, or leftovers of a purge that did not finish, which make that
     * checkpoint fail and the next lock read the sentinel) the instance has no history sentinel to read.
     */
    private static boolean neverCheckpointed(InstanceRow row) {
        return row != null && row.historyVersion() < 0 && row.state().status() == RuntimeStatus.PENDING;
    }

    /** Whether a checkpoint of the instance was refused since its last lock (and takes it off that list). */
    private synchronized boolean refused(String instanceId) {
        return refusedSinceLock.remove(instanceId);
    }

    /**
     * Whether a message was sent before the instance was (re)created by {@code createInstance} (a leftover of a purged
     * or replaced instance). Messages for the current execution are always kept; others get 2 s of tolerance for the
     * clocks of other processes.
     */
    private static boolean isFromEarlierIncarnation(Envelope e, InstanceRow row) {
        if (e.seq() >= row.resetSeq()) {
            return false;
        }
        if (e.executionId() != null) {
            return !e.executionId().equals(row.state().executionId());
        }
        return e.seq() < row.resetSeq() - 2_000_000L;
    }

    /** The live lock for a work item, or a {@link LeaseLostException} explaining why there is none. */
    synchronized Lock validate(OrchestrationWorkItem item) {
        Lock lock = locks.get(item.instanceId());
        if (lock == null || !lock.token.equals(item.lockToken())) {
            throw new LeaseLostException(item.instanceId(), "The lock on instance '" + item.instanceId() + "' is no longer held "
                    + "(it expired and was taken again, or the work item was already completed or abandoned).");
        }
        if (lock.expiry.isBefore(Instant.now())) {
            throw new LeaseLostException(item.instanceId(), "The lock on instance '" + item.instanceId() + "' expired at "
                    + lock.expiry + "; renew it before the lease runs out.");
        }
        if (!partitions.owns(lock.partition)) {
            throw new LeaseLostException(item.instanceId(), "This worker no longer owns partition " + lock.partition
                    + " of instance '" + item.instanceId() + "' (another worker took it over).");
        }
        if (lock.sentinel != null && lock.sentinel.version() != item.historyVersion()) {
            throw new LeaseLostException(item.instanceId(), "The work item's history version " + item.historyVersion()
                    + " does not match the locked version " + lock.sentinel.version() + ".");
        }
        return lock;
    }

    Instant renew(OrchestrationWorkItem item, Duration lease) {
        Lock lock = validate(item);
        Instant expiry = Instant.now().plus(lease);
        int seconds = (int) Math.max(lease.toSeconds(), partitions.leaseDuration().toSeconds());
        for (Held h : snapshot(lock)) {
            try {
                UpdateMessageResult r = queues.get(h.partition).updateMessage(h.queueMessageId, popReceipt(h), h.text, Duration.ofSeconds(seconds));
                synchronized (this) {
                    h.popReceipt = r.getPopReceipt();
                }
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) == 0) {
                    throw AzureErrors.wrap("renewing the lock of '" + item.instanceId() + "'", e);
                }
                // message gone or re-received: the in-process lock still protects the instance
            }
        }
        synchronized (this) {
            if (locks.get(item.instanceId()) != lock) {
                throw new LeaseLostException(item.instanceId(), "The lock on '" + item.instanceId() + "' was lost while renewing.");
            }
            lock.expiry = expiry;
        }
        return expiry;
    }

    /**
     * Returns a work item's messages to the buffer, ahead of later messages of the instance, which is not dispatched
     * again before {@code delay} has passed. Putting them back into the queue instead would let later messages already
     * buffered overtake them (the order of an instance's messages is kept only inside the buffer).
     */
    synchronized void abandon(OrchestrationWorkItem item, Duration delay) {
        Lock lock = locks.get(item.instanceId());
        if (lock == null || !lock.token.equals(item.lockToken())) {
            return;
        }
        locks.remove(item.instanceId());
        for (Held h : lock.held) {
            if (known.get(h.queueMessageId) == h && h.lockedBy == lock) {
                h.lockedBy = null;
                h.localRedeliveries++;
            }
        }
        if (delay != null && delay.toMillis() > 0) {
            backoff.merge(item.instanceId(), Instant.now().plus(delay), (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    /**
     * Buffers a message this worker just sent to an instance it is committing (continue-as-new's new start and
     * carried-over events, short timers), before the lock is released, so the next episode sees all of them together
     * instead of whatever a concurrent receive happened to catch.
     */
    void adopt(int partition, String queueMessageId, String popReceipt, String text, Envelope envelope) {
        if (!partitions.dispatchable(partition)) {
            return;
        }
        synchronized (this) {
            Held held = new Held(partition, queueMessageId, popReceipt, 0, text, envelope);
            held.adopted = true;
            known.putIfAbsent(queueMessageId, held);
        }
    }

    /**
     * What this process knows of an instance whose messages it holds, for the stuck-instance query: the end of its lock
     * (null when unlocked), how often its messages were delivered without a checkpoint consuming them, and the due times
     * of its unlocked due messages (timers separately). Received messages are invisible in the queue, so only their
     * holder can tell.
     */
    record HeldFacts(String instanceId, Instant lockedUntil, int deliveries, Instant oldestDue, Instant oldestTimer) {}

    /**
     * The facts of every instance this process holds messages of that is locked, was delivered more than once, or has
     * due messages no lock has taken; oldest first, at most {@code limit}.
     */
    synchronized List<HeldFacts> heldFacts(Instant now, int limit) {
        Map<String, HeldFacts> byInstance = new HashMap<>();
        for (Held h : known.values()) {
            String id = h.envelope.instanceId();
            HeldFacts f = byInstance.getOrDefault(id, new HeldFacts(id, null, 0, null, null));
            int deliveries = (int) Math.max(f.deliveries(), h.dequeueCount + h.localRedeliveries);
            Instant oldestDue = f.oldestDue();
            Instant oldestTimer = f.oldestTimer();
            if (h.lockedBy == null && h.due(now)) {
                Instant due = h.envelope.visibleAt() != null ? h.envelope.visibleAt() : Instant.EPOCH.plus(h.envelope.seq(), java.time.temporal.ChronoUnit.MICROS);
                oldestDue = earlier(oldestDue, due);
                if (h.envelope.event() instanceof dev.taskhub.history.HistoryEvent.TimerFired fired) {
                    oldestTimer = earlier(oldestTimer, fired.fireAt());
                }
            }
            Lock lock = locks.get(id);
            byInstance.put(id, new HeldFacts(id, lock == null ? null : lock.expiry, deliveries, oldestDue, oldestTimer));
        }
        return byInstance.values().stream()
                .filter(f -> f.lockedUntil() != null || f.deliveries() > 1 || f.oldestDue() != null)
                .sorted(Comparator.comparing((HeldFacts f) -> f.oldestDue() == null ? Instant.MAX : f.oldestDue())
                        .thenComparing(HeldFacts::instanceId))
                .limit(limit).toList();
    }

    @Override
    public String heartbeat(Instant now) {
        return StuckFinder.heartbeat(now, this);
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    /**
     * Remembers what a checkpoint under {@code lock} wrote, for the instance's next episode on this worker (while the
     * partition stays here).
     */
    synchronized void remember(Lock lock, Sentinel sentinel, InstanceRow row) {
        if (partitions.owns(lock.partition)) {
            written.put(lock.instanceId, lock.partition, sentinel, row);
        }
    }

    /** Step 4 of a checkpoint: delete the consumed messages and release the lock. */
    void finish(Lock lock) {
        for (Held h : snapshot(lock)) {
            deleteQuietly(h);
            if (h.envelope.blob() != null) {
                payloads.deleteQuietly(h.envelope.blob());
            }
        }
        unlock(lock, true);
    }

    /** Releases a lock; {@code consumed} forgets its messages, otherwise they return to the buffer. */
    synchronized void unlock(Lock lock, boolean consumed) {
        locks.remove(lock.instanceId, lock);
        for (Held h : lock.held) {
            if (consumed) {
                known.remove(h.queueMessageId, h);
            } else if (h.lockedBy == lock) {
                h.lockedBy = null;
            }
        }
    }

    /** After a refused commit: forget the messages so they are received again from the queue. */
    synchronized void forget(Lock lock) {
        locks.remove(lock.instanceId, lock);
        if (refusedSinceLock.size() >= 10_000) {
            refusedSinceLock.clear();
        }
        refusedSinceLock.add(lock.instanceId);
        for (Held h : lock.held) {
            known.remove(h.queueMessageId, h);
        }
    }

    private synchronized List<Held> snapshot(Lock lock) {
        return new ArrayList<>(lock.held);
    }

    private synchronized String popReceipt(Held h) {
        return h.popReceipt;
    }

    private void deleteQuietly(Held h) {
        try {
            queues.get(h.partition).deleteMessage(h.queueMessageId, popReceipt(h));
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status == 0) {
                throw AzureErrors.wrap("deleting a consumed message", e);
            }
            LOG.debug("Consumed message {} was already gone or re-received (HTTP {}); its id is on the sentinel", h.queueMessageId, status);
        }
    }

    @Override
    public synchronized boolean hasActiveLocks(int partition) {
        Instant now = Instant.now();
        return locks.values().stream().anyMatch(l -> l.partition == partition && l.expiry.isAfter(now));
    }

    @Override
    public void partitionGone(int partition, boolean graceful) {
        List<Held> buffered = new ArrayList<>();
        synchronized (this) {
            written.dropPartition(partition);
            for (Held h : new ArrayList<>(known.values())) {
                if (h.partition == partition && h.lockedBy == null) {
                    known.remove(h.queueMessageId);
                    buffered.add(h);
                }
            }
        }
        if (graceful) {
            for (Held h : buffered) {
                try {
                    queues.get(partition).updateMessage(h.queueMessageId, h.popReceipt, h.text, Duration.ZERO);
                } catch (RuntimeException e) {
                    LOG.debug("Could not release buffered message {}: {}", h.queueMessageId, e.toString());
                }
            }
        }
    }

    /** Forgets all buffered messages and locks (the hub was deleted). */
    synchronized void clear() {
        known.clear();
        locks.clear();
        written.clear();
    }

    /** Releases everything on close: buffered messages become visible again. */
    void close() {
        for (int p = 0; p < queues.size(); p++) {
            partitionGone(p, true);
        }
    }
}
