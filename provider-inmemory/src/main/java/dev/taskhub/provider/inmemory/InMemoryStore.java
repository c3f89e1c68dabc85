package dev.taskhub.provider.inmemory;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.InstanceQuery;
import dev.taskhub.client.PurgeCriteria;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.internal.Ids;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;

import java.time.Clock;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state of one in-memory task hub, guarded by one lock (every operation is a few map updates, so one lock is
 * both simplest and fast). Instances ready for work sit in a FIFO set; future messages and lease expiries sit in
 * priority queues that are promoted lazily, so waiting timers cost no threads.
 */
final class InMemoryStore {
    private record Key(Instant createdAt, String instanceId) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::createdAt).thenComparing(Key::instanceId);

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    private static final class Instance {
        InstanceState state;
        List<HistoryEvent> history = new ArrayList<>();
        long historyVersion;
    }

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

    private static final class Queue {
        final List<Message> messages = new ArrayList<>();
        String lockToken;
        Instant lockedUntil;
        List<Message> locked = List.of();
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

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition orchestrationReady = lock.newCondition();
    private final Condition activityReady = lock.newCondition();
    private final Map<String, Instance> instances = new HashMap<>();
    private final TreeMap<Key, Instance> byCreated = new TreeMap<>();
    private final Map<String, Queue> queues = new HashMap<>();
    private final LinkedHashSet<String> readyInstances = new LinkedHashSet<>();
    private final PriorityQueue<Wake> orchestrationWakes = new PriorityQueue<>(Comparator.comparing(Wake::at));
    private final ArrayDeque<ActivityMessage> readyActivities = new ArrayDeque<>();
    private final PriorityQueue<ActivityMessage> delayedActivities = new PriorityQueue<>(Comparator.comparing(a -> a.visibleAt));
    private final Map<String, ActivityMessage> lockedActivities = new HashMap<>();
    private final PriorityQueue<ActivityMessage> activityLeases = new PriorityQueue<>(Comparator.comparing(a -> a.lockedUntil));
    private long sequence;
    private long versions;

    InMemoryStore(Clock clock) {
        this.clock = clock;
    }

    // ---- instances -----------------------------------------------------------------------------------------------

    void createInstance(InstanceState state, TaskMessage start, Set<RuntimeStatus> replaceable) {
        lock.lock();
        try {
            Instance existing = instances.get(state.instanceId());
            if (existing != null) {
                if (!replaceable.contains(existing.state.status())) {
                    throw new InstanceAlreadyExistsException(state.instanceId(), existing.state.status());
                }
                remove(state.instanceId());
            }
            Instance instance = new Instance();
            instance.state = state;
            instance.historyVersion = ++versions;
            instances.put(state.instanceId(), instance);
            byCreated.put(new Key(state.createdAt(), state.instanceId()), instance);
            enqueue(start, clock.instant());
        } finally {
            lock.unlock();
        }
    }

    Optional<InstanceState> getInstance(String instanceId) {
        lock.lock();
        try {
            Instance instance = instances.get(instanceId);
            return instance == null ? Optional.empty() : Optional.of(instance.state);
        } finally {
            lock.unlock();
        }
    }

    List<HistoryEvent> history(String instanceId) {
        lock.lock();
        try {
            Instance instance = instances.get(instanceId);
            return instance == null ? List.of() : List.copyOf(instance.history);
        } finally {
            lock.unlock();
        }
    }

    InstancePage query(InstanceQuery query) {
        Key after = null;
        if (query.continuationToken() != null) {
            ContinuationTokens.Position p = ContinuationTokens.decode(query.continuationToken());
            after = new Key(p.createdAt(), p.instanceId());
        }
        lock.lock();
        try {
            // Start at the later of the page position and createdFrom, so a range query does not walk older instances.
            Key from = query.createdFrom() == null ? null : new Key(query.createdFrom(), "");
            Map<Key, Instance> view;
            if (after != null && (from == null || after.compareTo(from) >= 0)) {
                view = byCreated.tailMap(after, false);
            } else {
                view = from == null ? byCreated : byCreated.tailMap(from, true);
            }
            List<InstanceState> page = new ArrayList<>();
            Key last = null;
            boolean more = false;
            for (Map.Entry<Key, Instance> entry : view.entrySet()) {
                InstanceState s = entry.getValue().state;
                if (query.createdTo() != null && s.createdAt().isAfter(query.createdTo())) {
                    break;
                }
                if (!query.matches(s.instanceId(), s.status(), s.createdAt())) {
                    continue;
                }
                if (page.size() == query.pageSize()) {
                    more = true;
                    break;
                }
                page.add(query.fetchInputsAndOutputs() ? s : s.withoutPayloads());
                last = entry.getKey();
            }
            return new InstancePage(page, more ? ContinuationTokens.encode(last.createdAt(), last.instanceId()) : null);
        } finally {
            lock.unlock();
        }
    }

    boolean purge(String instanceId) {
        lock.lock();
        try {
            Instance instance = instances.get(instanceId);
            if (instance == null || !instance.state.status().isTerminal()) {
                return false;
            }
            remove(instanceId);
            return true;
        } finally {
            lock.unlock();
        }
    }

    long purge(PurgeCriteria criteria) {
        lock.lock();
        try {
            List<String> ids = new ArrayList<>();
            for (Instance instance : byCreated.tailMap(new Key(criteria.createdFrom(), ""), true).values()) {
                if (criteria.matches(instance.state.status(), instance.state.createdAt())) {
                    ids.add(instance.state.instanceId());
                }
            }
            ids.forEach(this::remove);
            return ids.size();
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            instances.clear();
            byCreated.clear();
            queues.clear();
            readyInstances.clear();
            orchestrationWakes.clear();
            readyActivities.clear();
            delayedActivities.clear();
            lockedActivities.clear();
            activityLeases.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Removes an instance with its history and pending messages, and any pending activities it scheduled. */
    private void remove(String instanceId) {
        Instance instance = instances.remove(instanceId);
        if (instance != null) {
            byCreated.remove(new Key(instance.state.createdAt(), instanceId));
        }
        queues.remove(instanceId);
        readyInstances.remove(instanceId);
        readyActivities.removeIf(a -> a.request.instanceId().equals(instanceId));
        delayedActivities.removeIf(a -> a.request.instanceId().equals(instanceId));
    }

    // ---- orchestration queue -------------------------------------------------------------------------------------

    void send(List<TaskMessage> messages) {
        lock.lock();
        try {
            Instant now = clock.instant();
            messages.forEach(m -> enqueue(m, now));
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(TaskMessage message, Instant now) {
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
        lock.lock();
        try {
            while (true) {
                Instant now = clock.instant();
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
                if (!await(orchestrationReady, deadline, orchestrationWakes.isEmpty() ? null : orchestrationWakes.peek().at(), now)) {
                    return List.of();
                }
            }
        } finally {
            lock.unlock();
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
        Instance instance = instances.get(id);
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

    private Queue held(String instanceId, String token, Instant now) {
        Queue queue = queues.get(instanceId);
        if (queue == null || queue.lockToken == null || !queue.lockToken.equals(token) || !queue.lockedUntil.isAfter(now)) {
            throw new LeaseLostException(instanceId, "The lock on instance '" + instanceId + "' is no longer held "
                    + "(its lease expired or another worker took it over); nothing was applied.");
        }
        return queue;
    }

    Instant renewOrchestration(OrchestrationWorkItem item, Duration lease) {
        lock.lock();
        try {
            Instant now = clock.instant();
            Queue queue = held(item.instanceId(), item.lockToken(), now);
            queue.lockedUntil = now.plus(lease);
            orchestrationWakes.add(new Wake(queue.lockedUntil, item.instanceId()));
            return queue.lockedUntil;
        } finally {
            lock.unlock();
        }
    }

    void abandonOrchestration(OrchestrationWorkItem item, Duration delay) {
        lock.lock();
        try {
            Instant now = clock.instant();
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
        } finally {
            lock.unlock();
        }
    }

    List<CommitResult> commit(List<Checkpoint> checkpoints) {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<CommitResult> results = new ArrayList<>(checkpoints.size());
            for (Checkpoint checkpoint : checkpoints) {
                try {
                    apply(checkpoint, now);
                    results.add(CommitResult.COMMITTED);
                } catch (LeaseLostException e) {
                    results.add(new CommitResult.Refused(e));
                }
            }
            return results;
        } finally {
            lock.unlock();
        }
    }

    private void apply(Checkpoint checkpoint, Instant now) {
        OrchestrationWorkItem item = checkpoint.workItem();
        String id = item.instanceId();
        Queue queue = held(id, item.lockToken(), now);
        Instance instance = instances.get(id);
        long version = instance == null ? 0 : instance.historyVersion;
        if (version != item.historyVersion()) {
            throw new LeaseLostException(id, "The history of instance '" + id + "' changed since it was locked; nothing was applied.");
        }
        // Everything is checked: apply.
        if (checkpoint.state() != null) {
            if (instance == null) {
                instance = new Instance();
                instance.historyVersion = ++versions;
                instances.put(id, instance);
            } else {
                byCreated.remove(new Key(instance.state.createdAt(), id));
            }
            instance.state = checkpoint.state();
            byCreated.put(new Key(instance.state.createdAt(), id), instance);
        }
        if (instance != null && checkpoint.changesHistory()) {
            if (checkpoint.replaceHistory()) {
                instance.history = new ArrayList<>(checkpoint.newEvents());
            } else {
                instance.history.addAll(checkpoint.newEvents());
            }
            instance.historyVersion = item.historyVersion() + 1;
        }
        queue.messages.removeAll(queue.locked);
        release(queue);
        if (queue.messages.isEmpty()) {
            queues.remove(id);
        } else if (hasVisible(queue, now) && readyInstances.add(id)) {
            orchestrationReady.signal();
        }
        checkpoint.orchestrationMessages().forEach(m -> enqueue(m, now));
        checkpoint.activityRequests().forEach(r -> enqueueActivity(r, now));
    }

    // ---- activity queue ------------------------------------------------------------------------------------------

    private void enqueueActivity(ActivityRequest request, Instant now) {
        readyActivities.add(new ActivityMessage(request, now));
        activityReady.signal();
    }

    List<ActivityWorkItem> lockActivities(int max, Duration lease, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        lock.lock();
        try {
            while (true) {
                Instant now = clock.instant();
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
                Instant next = earliest(delayedActivities.isEmpty() ? null : delayedActivities.peek().visibleAt,
                        activityLeases.isEmpty() ? null : activityLeases.peek().lockedUntil);
                if (!await(activityReady, deadline, next, now)) {
                    return List.of();
                }
            }
        } finally {
            lock.unlock();
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
                if (instances.containsKey(m.request.instanceId())) {
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
        lock.lock();
        try {
            Instant now = clock.instant();
            ActivityMessage m = heldActivity(item, now);
            activityLeases.remove(m);
            m.lockedUntil = now.plus(lease);
            activityLeases.add(m);
            return m.lockedUntil;
        } finally {
            lock.unlock();
        }
    }

    void abandonActivity(ActivityWorkItem item, Duration delay) {
        lock.lock();
        try {
            Instant now = clock.instant();
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
        } finally {
            lock.unlock();
        }
    }

    List<CommitResult> completeActivities(List<ActivityResult> results) {
        lock.lock();
        try {
            Instant now = clock.instant();
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
            lock.unlock();
        }
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
