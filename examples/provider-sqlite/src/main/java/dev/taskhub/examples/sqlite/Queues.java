package dev.taskhub.examples.sqlite;

import dev.taskhub.spi.support.Backoff;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static dev.taskhub.examples.sqlite.Database.event;
import static dev.taskhub.examples.sqlite.Database.instant;
import static dev.taskhub.examples.sqlite.Database.json;
import static dev.taskhub.examples.sqlite.Database.nanos;
import static dev.taskhub.examples.sqlite.Database.query;
import static dev.taskhub.examples.sqlite.Database.update;

/**
 * The orchestration queue (locked per instance, through {@code instance_locks}), the activity queue (locked per message)
 * and checkpoints, which touch both queues and the instance store in one transaction.
 */
final class Queues {
    /** Instances with a visible message and no live lock, oldest message first. */
    private static final String READY_INSTANCES = "SELECT m.instance_id FROM orchestration_messages m "
            + "WHERE m.hub = ? AND m.visible_ns <= ? AND NOT EXISTS (SELECT 1 FROM instance_locks l "
            + "WHERE l.hub = m.hub AND l.instance_id = m.instance_id AND l.locked_until_ns > ?) "
            + "GROUP BY m.instance_id ORDER BY MIN(m.seq) LIMIT ?";
    private static final Duration FIRST_PAUSE = Duration.ofMillis(5);

    private final Database db;
    private final String hub;
    private final Duration pollInterval;

    Queues(Database db, String hub, Duration pollInterval) {
        this.db = db;
        this.hub = hub;
        this.pollInterval = pollInterval;
    }

    // ---- orchestration queue -----------------------------------------------------------------------------------------

    static void enqueue(Connection c, String hub, TaskMessage m, Instant now) throws SQLException {
        update(c, "INSERT INTO orchestration_messages (hub, instance_id, message_id, execution_id, event, visible_ns) "
                + "VALUES (?, ?, ?, ?, ?, ?)", hub, m.instanceId(), m.messageId(), m.executionId(), json(m.event()),
                nanos(m.visibleAt() == null ? now : m.visibleAt()));
    }

    void send(TaskMessage message) {
        db.writeAndWake(c -> {
            enqueue(c, hub, message, Instant.now());
            return null;
        });
    }

    List<OrchestrationWorkItem> lockOrchestrations(int max, Duration lease, Duration maxWait) {
        return poll(maxWait, () -> {
            long now = nanos(Instant.now());
            // A read first, so that idle pollers never take the write lock.
            boolean ready = !db.read(c -> query(c, READY_INSTANCES, r -> 1, hub, now, now, 1)).isEmpty();
            return ready ? db.write(c -> lockInstances(c, max, lease)) : List.of();
        });
    }

    private List<OrchestrationWorkItem> lockInstances(Connection c, int max, Duration lease) throws SQLException {
        Instant now = Instant.now();
        Instant until = now.plus(lease);
        List<OrchestrationWorkItem> items = new ArrayList<>();
        for (String id : query(c, READY_INSTANCES, r -> r.getString(1), hub, nanos(now), nanos(now), max)) {
            String token = UUID.randomUUID().toString();
            update(c, "INSERT INTO instance_locks (hub, instance_id, lock_token, locked_until_ns) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (hub, instance_id) DO UPDATE SET lock_token = excluded.lock_token, "
                    + "locked_until_ns = excluded.locked_until_ns", hub, id, token, nanos(until));
            update(c, "UPDATE orchestration_messages SET deliveries = deliveries + 1, lock_token = ? "
                    + "WHERE hub = ? AND instance_id = ? AND visible_ns <= ?", token, hub, id, nanos(now));
            List<Integer> deliveries = new ArrayList<>();
            List<TaskMessage> messages = query(c, "SELECT message_id, execution_id, event, visible_ns, deliveries "
                    + "FROM orchestration_messages WHERE hub = ? AND instance_id = ? AND lock_token = ? ORDER BY seq", r -> {
                        deliveries.add(r.getInt("deliveries"));
                        return new TaskMessage(r.getString("message_id"), id, r.getString("execution_id"),
                                event(r.getString("event")), instant(r, "visible_ns"));
                    }, hub, id, token);
            Instances.Row row = Instances.find(c, hub, id);
            items.add(new OrchestrationWorkItem(id, token, until, row == null ? null : row.state(), messages,
                    row == null ? 0 : row.historyVersion(), deliveries.stream().mapToInt(Integer::intValue).max().orElse(1)));
        }
        return items;
    }

    Instant renew(OrchestrationWorkItem item, Duration lease) {
        return db.write(c -> {
            Instant now = Instant.now();
            requireLock(c, item, now);
            Instant until = now.plus(lease);
            update(c, "UPDATE instance_locks SET locked_until_ns = ? WHERE hub = ? AND instance_id = ?", nanos(until), hub, item.instanceId());
            return until;
        });
    }

    void abandon(OrchestrationWorkItem item, Duration delay) {
        // The lock row stays, without a token, to hide the instance until the delay is over.
        db.writeAndWake(c -> update(c, "UPDATE instance_locks SET lock_token = NULL, locked_until_ns = ? "
                + "WHERE hub = ? AND instance_id = ? AND lock_token = ? AND locked_until_ns > ?",
                nanos(Instant.now().plus(delay)), hub, item.instanceId(), item.lockToken(), nanos(Instant.now())));
    }

    /** Throws {@link LeaseLostException} unless the work item's lock is still the instance's live lock. */
    private void requireLock(Connection c, OrchestrationWorkItem item, Instant now) throws SQLException {
        if (query(c, "SELECT 1 FROM instance_locks WHERE hub = ? AND instance_id = ? AND lock_token = ? AND locked_until_ns > ?",
                r -> 1, hub, item.instanceId(), item.lockToken(), nanos(now)).isEmpty()) {
            throw new LeaseLostException(item.instanceId(), "The lock on instance '" + item.instanceId() + "' is no longer held "
                    + "(its lease expired or another worker took it over); nothing was applied.");
        }
    }

    // ---- checkpoints -------------------------------------------------------------------------------------------------

    /** Applies the checkpoints in one transaction; each one is checked before anything of it is written. */
    List<CommitResult> commit(List<Checkpoint> checkpoints) {
        return db.writeAndWake(c -> {
            Instant now = Instant.now();
            List<CommitResult> results = new ArrayList<>();
            for (Checkpoint checkpoint : checkpoints) {
                try {
                    apply(c, checkpoint, now);
                    results.add(CommitResult.COMMITTED);
                } catch (LeaseLostException e) {
                    results.add(new CommitResult.Refused(e));
                }
            }
            return results;
        });
    }

    private void apply(Connection c, Checkpoint checkpoint, Instant now) throws SQLException {
        OrchestrationWorkItem item = checkpoint.workItem();
        String id = item.instanceId();
        requireLock(c, item, now);
        Instances.Row row = Instances.find(c, hub, id);
        if ((row == null ? 0 : row.historyVersion()) != item.historyVersion()) {
            throw new LeaseLostException(id, "The history of instance '" + id + "' changed since it was locked; nothing was applied.");
        }
        if (checkpoint.state() != null) {
            Instances.save(c, hub, checkpoint.state());
        }
        if ((row != null || checkpoint.state() != null) && checkpoint.changesHistory()) {
            Instances.writeHistory(c, hub, id, checkpoint.newEvents(), checkpoint.replaceHistory(), item.historyVersion() + 1);
        }
        update(c, "DELETE FROM orchestration_messages WHERE hub = ? AND instance_id = ? AND lock_token = ?", hub, id, item.lockToken());
        update(c, "DELETE FROM instance_locks WHERE hub = ? AND instance_id = ?", hub, id);
        for (TaskMessage message : checkpoint.orchestrationMessages()) {
            enqueue(c, hub, message, now);
        }
        for (ActivityRequest request : checkpoint.activityRequests()) {
            enqueueActivity(c, hub, request, now);
        }
    }

    static void enqueueActivity(Connection c, String hub, ActivityRequest request, Instant now) throws SQLException {
        update(c, "INSERT INTO activity_messages (hub, instance_id, message_id, execution_id, task_id, name, input, visible_ns) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", hub, request.instanceId(), request.messageId(), request.executionId(),
                request.taskId(), request.name(), request.input(), nanos(now));
    }

    // ---- activity queue ----------------------------------------------------------------------------------------------
    // A lock token is "<seq>:<random>", so every lock operation finds its row by primary key.

    List<ActivityWorkItem> lockActivities(int max, Duration lease, Duration maxWait) {
        return poll(maxWait, () -> {
            long now = nanos(Instant.now());
            boolean ready = !db.read(c -> query(c, "SELECT 1 FROM activity_messages WHERE hub = ? AND visible_ns <= ? LIMIT 1",
                    r -> 1, hub, now)).isEmpty();
            return ready ? db.write(c -> lockActivityMessages(c, max, lease)) : List.of();
        });
    }

    private List<ActivityWorkItem> lockActivityMessages(Connection c, int max, Duration lease) throws SQLException {
        Instant now = Instant.now();
        Instant until = now.plus(lease);
        List<ActivityWorkItem> items = query(c, "SELECT * FROM activity_messages WHERE hub = ? AND visible_ns <= ? ORDER BY seq LIMIT ?",
                r -> new ActivityWorkItem(r.getLong("seq") + ":" + UUID.randomUUID(), until,
                        new ActivityRequest(r.getString("message_id"), r.getString("instance_id"), r.getString("execution_id"),
                                r.getInt("task_id"), r.getString("name"), r.getString("input")),
                        r.getInt("deliveries") + 1), hub, nanos(now), max);
        for (ActivityWorkItem item : items) {
            // A locked message is invisible until its lease ends; then it is delivered again.
            update(c, "UPDATE activity_messages SET lock_token = ?, visible_ns = ?, deliveries = deliveries + 1 WHERE seq = ?",
                    item.lockToken(), nanos(until), seq(item));
        }
        return items;
    }

    Instant renew(ActivityWorkItem item, Duration lease) {
        return db.write(c -> {
            Instant until = Instant.now().plus(lease);
            if (update(c, "UPDATE activity_messages SET visible_ns = ? WHERE seq = ? AND lock_token = ? AND visible_ns > ?",
                    nanos(until), seq(item), item.lockToken(), nanos(Instant.now())) == 0) {
                throw activityLockLost(item);
            }
            return until;
        });
    }

    void abandon(ActivityWorkItem item, Duration delay) {
        db.writeAndWake(c -> update(c, "UPDATE activity_messages SET lock_token = NULL, visible_ns = ? "
                + "WHERE seq = ? AND lock_token = ? AND visible_ns > ?", nanos(Instant.now().plus(delay)), seq(item),
                item.lockToken(), nanos(Instant.now())));
    }

    /** Deletes each activity message and enqueues its result, refusing those whose lock is gone. */
    List<CommitResult> complete(List<ActivityResult> results) {
        return db.writeAndWake(c -> {
            Instant now = Instant.now();
            List<CommitResult> outcomes = new ArrayList<>();
            for (ActivityResult result : results) {
                ActivityWorkItem item = result.workItem();
                if (update(c, "DELETE FROM activity_messages WHERE seq = ? AND lock_token = ? AND visible_ns > ?",
                        seq(item), item.lockToken(), nanos(now)) == 1) {
                    enqueue(c, hub, result.response(), now);
                    outcomes.add(CommitResult.COMMITTED);
                } else {
                    outcomes.add(new CommitResult.Refused(activityLockLost(item)));
                }
            }
            return outcomes;
        });
    }

    private static long seq(ActivityWorkItem item) {
        return Long.parseLong(item.lockToken().substring(0, item.lockToken().indexOf(':')));
    }

    private static LeaseLostException activityLockLost(ActivityWorkItem item) {
        return new LeaseLostException(item.request().messageId(), "The lock on activity '" + item.request().name()
                + "' of instance '" + item.request().instanceId() + "' is no longer held; nothing was applied.");
    }

    // ---- waiting -----------------------------------------------------------------------------------------------------

    /**
     * Tries until it gets items or {@code maxWait} is over. Between tries it waits for a signal from this JVM (a
     * message was enqueued or released) or for the next poll, backing off from 5 ms to the poll interval; other
     * processes' messages are found by polling. Returns at once, possibly empty, when the thread is interrupted.
     */
    private <T> List<T> poll(Duration maxWait, Supplier<List<T>> attempt) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        Backoff pause = new Backoff(FIRST_PAUSE, pollInterval);
        while (true) {
            long seen = db.signal().version();
            List<T> items = attempt.get();
            long left = deadline - System.nanoTime();
            if (!items.isEmpty() || left <= 0 || !db.signal().await(seen, Math.min(left, pause.next().toNanos()))) {
                return items;
            }
        }
    }
}
