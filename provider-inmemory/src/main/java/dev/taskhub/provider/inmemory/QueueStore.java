package dev.taskhub.provider.inmemory;

import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * The orchestration queue (one message list per instance, locked per instance) and the activity queue, under the hub
 * lock. Instances ready for work sit in a FIFO set; future messages and lease expiries sit in priority queues that are
 * promoted lazily, so waiting timers cost no threads. Lock calls wait on a condition that every enqueue signals.
 */
final class QueueStore {
    private static final class Message {
        final TaskMessage message;
        final long sequence;
        Instant visibleAt;
        int deliveries;

        Message(TaskMessage message, long sequence, Instant visibleAt) {
            this.message = message;
            this.sequence = sequence;
            this.visibleAt = visibleAt;
        }
    }

    /** The messages of one instance and its lock. */
    static final class Queue {
        private final List<Message> messages = new ArrayList<>();
        private String lockToken;
        private Instant lockedUntil;
        private List<Message> locked = List.of();
    }

    private static final class ActivityMessage {
        final ActivityRequest request;
        Instant visibleAt;
        int deliveries;
        String lockToken;
        Instant lockedUntil;

        ActivityMessage(ActivityRequest request, Instant visibleAt) {
            this.request = request;
            this.visibleAt = visibleAt;
        }
    }

    private record Wake(Instant at, String id) {}

    private final HubState hub;
    private final Condition orchestrationReady;
    private final Condition activityReady;
    private final Map<String, Queue> queues = new HashMap<>();
    private final LinkedHashSet<String> readyInstances = new LinkedHashSet<>();
    private final PriorityQueue<Wake> orchestrationWakes = new PriorityQueue<>(Comparator.comparing(Wake::at));
    private final ArrayDeque<ActivityMessage> readyActivities = new ArrayDeque<>();
    private final PriorityQueue<ActivityMessage> delayedActivities = new PriorityQueue<>(Comparator.comparing(a -> a.visibleAt));
    private final Map<String, ActivityMessage> lockedActivities = new HashMap<>();
    private final PriorityQueue<ActivityMessage> activityLeases = new PriorityQueue<>(Comparator.comparing(a -> a.lockedUntil));
    private long sequence;

    QueueStore(HubState hub) {
        this.hub = hub;
        this.orchestrationReady = hub.lock.newCondition();
        this.activityReady = hub.lock.newCondition();
    }

    /** Drops an instance's pending messages and the pending activities it scheduled. The caller holds the hub lock. */
    void drop(String instanceId) {
        queues.remove(instanceId);
        readyInstances.remove(instanceId);
        readyActivities.removeIf(a -> a.request.instanceId().equals(instanceId));
        delayedActivities.removeIf(a -> a.request.instanceId().equals(instanceId));
    }

    /** Drops every message. The caller holds the hub lock. */
    void clear() {
        queues.clear();
        readyInstances.clear();
        orchestrationWakes.clear();
        readyActivities.clear();
        delayedActivities.clear();
        lockedActivities.clear();
        activityLeases.clear();
    }

    // ---- orchestration queue -------------------------------------------------------------------------------------

    void send(List<TaskMessage> messages) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            messages.forEach(m -> enqueue(m, now));
        } finally {
            hub.lock.unlock();
        }
    }

    /** Enqueues an orchestration message. The caller holds the hub lock. */
    void enqueue(TaskMessage message, Instant now) {
        Instant visibleAt = message.visibleAt() == null ? now : message.visibleAt();
        Queue queue = queues.computeIfAbsent(message.instanceId(), k -> new Queue());
        queue.messages.add(new Message(message, ++sequence, visibleAt));
        if (visibleAt.isAfter(now)) {
            orchestrationWakes.add(new Wake(visibleAt, message.instanceId()));
        } else if (queue.lockToken == null && readyInstances.add(message.instanceId())) {
            orchestrationReady.signal();
        }
    }

    List<OrchestrationWorkItem> lockOrchestrations(int max, Duration lease, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        hub.lock.lock();
        try {
            while (true) {
                Instant now = hub.clock.instant();
                promoteOrchestrations(now);
                if (!readyInstances.isEmpty()) {
                    List<OrchestrationWorkItem> items = new ArrayList<>(Math.min(max, readyInstances.size()));
                    Iterator<String> it = readyInstances.iterator();
                    while (it.hasNext() && items.size() < max) {
                        String id = it.next();
                        it.remove();
                        OrchestrationWorkItem item = lockInstance(id, now, lease);
                        if (item != null) {
                            items.add(item);
                        }
                    }
                    if (!readyInstances.isEmpty()) {
                        orchestrationReady.signal();
                    }
                    if (!items.isEmpty()) {
                        return items;
                    }
                }
                if (skipIfIdle()) {
                    continue;
                }
                if (!await(orchestrationReady, deadline, orchestrationWakes.isEmpty() ? null : orchestrationWakes.peek().at(), now)) {
                    return List.of();
                }
            }
        } finally {
            hub.lock.unlock();
        }
    }

    private OrchestrationWorkItem lockInstance(String id, Instant now, Duration lease) {
        Queue queue = queues.get(id);
        if (queue == null || queue.lockToken != null) {
            return null;
        }
        List<Message> visible = new ArrayList<>();
        List<TaskMessage> delivered = new ArrayList<>();
        int deliveryCount = 0;
        for (Message m : queue.messages) {
            if (!m.visibleAt.isAfter(now)) {
                m.deliveries++;
                deliveryCount = Math.max(deliveryCount, m.deliveries);
                visible.add(m);
                delivered.add(m.message);
            }
        }
        if (visible.isEmpty()) {
            return null;
        }
        queue.lockToken = Ids.random();
        queue.lockedUntil = now.plus(lease);
        queue.locked = visible;
        orchestrationWakes.add(new Wake(queue.lockedUntil, id));
        HubState.Instance instance = hub.instances.get(id);
        return new OrchestrationWorkItem(id, queue.lockToken, queue.lockedUntil, instance == null ? null : instance.state,
                delivered, instance == null ? 0 : instance.historyVersion, deliveryCount);
    }

    /** Makes ready every instance whose messages became visible or whose lease expired. */
    private void promoteOrchestrations(Instant now) {
        while (!orchestrationWakes.isEmpty() && !orchestrationWakes.peek().at().isAfter(now)) {
            String id = orchestrationWakes.poll().id();
            Queue queue = queues.get(id);
            if (queue == null) {
                continue;
            }
            if (queue.lockToken != null && !queue.lockedUntil.isAfter(now)) {
                release(queue);
            }
            if (queue.lockToken == null && hasVisible(queue, now)) {
                readyInstances.add(id);
            }
        }
    }

    private static boolean hasVisible(Queue queue, Instant now) {
        for (Message m : queue.messages) {
            if (!m.visibleAt.isAfter(now)) {
                return true;
            }
        }
        return false;
    }

    private static void release(Queue queue) {
        queue.lockToken = null;
        queue.lockedUntil = null;
        queue.locked = List.of();
    }

    /** The instance's queue if {@code token} is its live lock, else {@link LeaseLostException}. The caller holds the hub lock. */
    Queue held(String instanceId, String token, Instant now) {
        Queue queue = queues.get(instanceId);
        if (queue == null || queue.lockToken == null || !queue.lockToken.equals(token) || !queue.lockedUntil.isAfter(now)) {
            throw new LeaseLostException(instanceId, "The lock on instance '" + instanceId + "' is no longer held "
                    + "(its lease expired or another worker took it over); nothing was applied.");
        }
        return queue;
    }

    /**
     * A checkpoint's end: removes the messages the lock delivered, releases the lock and makes the instance ready again
     * when messages arrived meanwhile. The caller holds the hub lock.
     */
    void consume(Queue queue, String instanceId, Instant now) {
        queue.messages.removeAll(queue.locked);
        release(queue);
        if (queue.messages.isEmpty()) {
            queues.remove(instanceId);
        } else if (hasVisible(queue, now) && readyInstances.add(instanceId)) {
            orchestrationReady.signal();
        }
    }

    Instant renewOrchestration(OrchestrationWorkItem item, Duration lease) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            Queue queue = held(item.instanceId(), item.lockToken(), now);
            queue.lockedUntil = now.plus(lease);
            orchestrationWakes.add(new Wake(queue.lockedUntil, item.instanceId()));
            return queue.lockedUntil;
        } finally {
            hub.lock.unlock();
        }
    }

    void abandonOrchestration(OrchestrationWorkItem item, Duration delay) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            Queue queue;
            try {
                queue = held(item.instanceId(), item.lockToken(), now);
            } catch (LeaseLostException e) {
                return;
            }
            Instant visibleAt = now.plus(delay);
            for (Message m : queue.locked) {
                m.visibleAt = visibleAt;
            }
            release(queue);
            orchestrationWakes.add(new Wake(visibleAt, item.instanceId()));
            if (hasVisible(queue, now) && readyInstances.add(item.instanceId())) {
                orchestrationReady.signal();
            }
            skipIfIdle();
        } finally {
            hub.lock.unlock();
        }
    }

    /**
     * What the orchestration queue knows of an instance, for the stuck-instance query.
     *
     * @param oldestDue     the earliest time one of its messages became visible (null when none is visible)
     * @param oldestTimer   the earliest fire time of its visible TimerFired messages (null when there is none)
     * @param lockedLive    whether a worker holds its lock now
     * @param lockedUntil   when the lease of its lock ends or ended (null when unlocked)
     * @param deliveries    deliveries of its current messages without a checkpoint that consumed them
     */
    record QueueFacts(Instant oldestDue, Instant oldestTimer, boolean lockedLive, Instant lockedUntil, int deliveries) {}

    /** The facts of the instance's queue, or null when it has no messages. The caller holds the hub lock. */
    QueueFacts facts(String instanceId, Instant now) {
        Queue queue = queues.get(instanceId);
        if (queue == null) {
            return null;
        }
        Instant oldestDue = null;
        Instant oldestTimer = null;
        int deliveries = 0;
        for (Message m : queue.messages) {
            deliveries = Math.max(deliveries, m.deliveries);
            if (m.message.event() instanceof HistoryEvent.TimerFired fired && !fired.fireAt().isAfter(now)) {
                oldestTimer = earlier(oldestTimer, fired.fireAt());
            }
            if (!m.visibleAt.isAfter(now)) {
                oldestDue = earlier(oldestDue, m.visibleAt);
            }
        }
        boolean live = queue.lockToken != null && queue.lockedUntil.isAfter(now);
        return new QueueFacts(oldestDue, oldestTimer, live, queue.lockToken != null ? queue.lockedUntil : null, deliveries);
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    // ---- activity queue ------------------------------------------------------------------------------------------

    /** Enqueues an activity request. The caller holds the hub lock. */
    void enqueueActivity(ActivityRequest request, Instant now) {
        readyActivities.add(new ActivityMessage(request, now));
        activityReady.signal();
    }

    List<ActivityWorkItem> lockActivities(int max, Duration lease, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        hub.lock.lock();
        try {
            while (true) {
                Instant now = hub.clock.instant();
                promoteActivities(now);
                if (!readyActivities.isEmpty()) {
                    List<ActivityWorkItem> items = new ArrayList<>(Math.min(max, readyActivities.size()));
                    while (!readyActivities.isEmpty() && items.size() < max) {
                        ActivityMessage m = readyActivities.poll();
                        m.deliveries++;
                        m.lockToken = Ids.random();
                        m.lockedUntil = now.plus(lease);
                        lockedActivities.put(m.lockToken, m);
                        activityLeases.add(m);
                        items.add(new ActivityWorkItem(m.lockToken, m.lockedUntil, m.request, m.deliveries));
                    }
                    if (!readyActivities.isEmpty()) {
                        activityReady.signal();
                    }
                    return items;
                }
                if (skipIfIdle()) {
                    continue;
                }
                Instant next = earliest(delayedActivities.isEmpty() ? null : delayedActivities.peek().visibleAt,
                        activityLeases.isEmpty() ? null : activityLeases.peek().lockedUntil);
                if (!await(activityReady, deadline, next, now)) {
                    return List.of();
                }
            }
        } finally {
            hub.lock.unlock();
        }
    }

    private void promoteActivities(Instant now) {
        while (!delayedActivities.isEmpty() && !delayedActivities.peek().visibleAt.isAfter(now)) {
            readyActivities.add(delayedActivities.poll());
        }
        while (!activityLeases.isEmpty() && !activityLeases.peek().lockedUntil.isAfter(now)) {
            ActivityMessage m = activityLeases.poll();
            if (m.lockToken != null && lockedActivities.remove(m.lockToken) == m) {
                m.lockToken = null;
                if (hub.instances.containsKey(m.request.instanceId())) {
                    readyActivities.add(m);
                }
            }
        }
    }

    private ActivityMessage heldActivity(ActivityWorkItem item, Instant now) {
        ActivityMessage m = lockedActivities.get(item.lockToken());
        if (m == null || !m.lockedUntil.isAfter(now)) {
            throw new LeaseLostException(item.request().messageId(), "The lock on activity '" + item.request().name()
                    + "' of instance '" + item.request().instanceId() + "' is no longer held; nothing was applied.");
        }
        return m;
    }

    Instant renewActivity(ActivityWorkItem item, Duration lease) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            ActivityMessage m = heldActivity(item, now);
            activityLeases.remove(m);
            m.lockedUntil = now.plus(lease);
            activityLeases.add(m);
            return m.lockedUntil;
        } finally {
            hub.lock.unlock();
        }
    }

    void abandonActivity(ActivityWorkItem item, Duration delay) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            ActivityMessage m;
            try {
                m = heldActivity(item, now);
            } catch (LeaseLostException e) {
                return;
            }
            lockedActivities.remove(m.lockToken);
            activityLeases.remove(m);
            m.lockToken = null;
            m.visibleAt = now.plus(delay);
            delayedActivities.add(m);
            activityReady.signal();
            skipIfIdle();
        } finally {
            hub.lock.unlock();
        }
    }

    List<CommitResult> completeActivities(List<ActivityResult> results) {
        hub.lock.lock();
        try {
            Instant now = hub.clock.instant();
            List<CommitResult> outcomes = new ArrayList<>(results.size());
            for (ActivityResult result : results) {
                try {
                    ActivityMessage m = heldActivity(result.workItem(), now);
                    lockedActivities.remove(m.lockToken);
                    activityLeases.remove(m);
                    m.lockToken = null;
                    enqueue(result.response(), now);
                    outcomes.add(CommitResult.COMMITTED);
                } catch (LeaseLostException e) {
                    outcomes.add(new CommitResult.Refused(e));
                }
            }
            return outcomes;
        } finally {
            hub.lock.unlock();
        }
    }

    // ---- virtual time --------------------------------------------------------------------------------------------

    /** Looks again whether virtual time may jump (skipping was just allowed): takes the hub lock. */
    void wakeUp() {
        hub.lock.lock();
        try {
            skipIfIdle();
        } finally {
            hub.lock.unlock();
        }
    }

    /**
     * With a {@link VirtualClock} that allows skipping: when nothing is ready or locked, moves time to the next due
     * message (or to the clock's bound when nothing is due before it) and wakes the lock calls. True when time moved.
     * A no-op on a real clock. The caller holds the hub lock.
     */
    boolean skipIfIdle() {
        VirtualClock virtual = hub.virtualClock;
        if (virtual == null) {
            return false;
        }
        Optional<Instant> bound = virtual.skipBound();
        if (bound.isEmpty()) {
            return false;
        }
        Instant now = virtual.instant();
        promoteOrchestrations(now);
        promoteActivities(now);
        if (!idle()) {
            return false;
        }
        Instant due = nextDue(now);
        Instant target = due != null && due.isBefore(bound.get()) ? due : bound.get();
        if (target.equals(Instant.MAX) || !target.isAfter(now)) {
            return false;   // waiting for something only an outside action brings (an event, a terminate)
        }
        virtual.moveTo(target);
        promoteOrchestrations(target);
        promoteActivities(target);
        orchestrationReady.signalAll();
        activityReady.signalAll();
        return true;
    }

    private boolean idle() {
        if (!readyInstances.isEmpty() || !readyActivities.isEmpty() || !lockedActivities.isEmpty()) {
            return false;
        }
        for (Queue queue : queues.values()) {
            if (queue.lockToken != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The earliest time a message not visible yet becomes visible, or null. Messages of finished instances (the timer
     * that lost an {@code anyOf}) do not count: they would be dropped, so time need not move for them.
     */
    private Instant nextDue(Instant now) {
        Instant next = delayedActivities.isEmpty() ? null : delayedActivities.peek().visibleAt;
        for (Map.Entry<String, Queue> entry : queues.entrySet()) {
            HubState.Instance instance = hub.instances.get(entry.getKey());
            if (instance != null && instance.state.status().isTerminal()) {
                continue;
            }
            for (Message m : entry.getValue().messages) {
                if (m.visibleAt.isAfter(now)) {
                    next = earliest(next, m.visibleAt);
                }
            }
        }
        return next;
    }

    // ---- waiting -------------------------------------------------------------------------------------------------

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    /** Waits until signalled, the next wake time, or the deadline; false when the deadline passed or interrupted. */
    private boolean await(Condition condition, long deadlineNanos, Instant nextWake, Instant now) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        if (nextWake != null) {
            long untilWake = Math.max(0, Duration.between(now, nextWake).toNanos()) + TimeUnit.MICROSECONDS.toNanos(200);
            remaining = Math.min(remaining, untilWake);
        }
        try {
            condition.awaitNanos(remaining);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
