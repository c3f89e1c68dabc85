package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The orchestration and activity queues: locking with {@code FOR UPDATE SKIP LOCKED} plus a lease stored in the row,
 * renewal, abandon, and batched activity completion. Thread-safe.
 */
final class QueueStore {
    private final Db db;
    private final String hub;
    private final Enqueuer enqueuer;
    private final String orchestrationChannel;
    private final String activityChannel;

    private final String lockInstances;
    private final String selectMessages;
    private final String releaseEmpty;
    private final String renewInstance;
    private final String abandonInstance;
    private final String nextInstanceDue;
    private final String lockActivities;
    private final String renewActivity;
    private final String abandonActivity;
    private final String deleteActivities;
    private final String nextActivityDue;

    QueueStore(Db db, Enqueuer enqueuer) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.enqueuer = enqueuer;
        this.orchestrationChannel = NotificationListener.channel(db.settings().schema(), hub, "o");
        this.activityChannel = NotificationListener.channel(db.settings().schema(), hub, "a");
        String lease = "now() + ? * interval '1 millisecond'";
        this.lockInstances = db.sql("WITH c AS (SELECT instance_id FROM {s}instances WHERE hub = ? AND visible_at <= now() "
                + "ORDER BY visible_at LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "UPDATE {s}instances i SET lock_token = ?, locked_until = " + lease + ", visible_at = " + lease + ", "
                + "delivery_count = i.delivery_count + 1 FROM c WHERE i.hub = ? AND i.instance_id = c.instance_id "
                + "RETURNING i.instance_id, i.name, i.version, i.execution_id, i.status, i.input, i.output, i.custom_status, "
                + "i.failure_details, i.created_ns, i.updated_ns, i.scheduled_ns, i.parent_instance_id, "
                + "i.history_version, i.delivery_count, i.locked_until");
        this.selectMessages = db.sql("SELECT instance_id, message_id, execution_id, event, visible_at FROM {s}orchestration_messages "
                + "WHERE hub = ? AND instance_id = ANY(?) AND visible_at <= now() ORDER BY instance_id, seq");
        this.releaseEmpty = db.sql("UPDATE {s}instances i SET lock_token = NULL, locked_until = NULL, "
                + "delivery_count = greatest(i.delivery_count - 1, 0), "
                + "visible_at = (SELECT min(m.visible_at) FROM {s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) "
                + "WHERE i.hub = ? AND i.instance_id = ANY(?) AND i.lock_token = ?");
        this.renewInstance = db.sql("UPDATE {s}instances SET locked_until = " + lease + ", visible_at = " + lease
                + " WHERE hub = ? AND instance_id = ? AND lock_token = ? AND locked_until > now() RETURNING locked_until");
        this.abandonInstance = db.sql("WITH u AS (UPDATE {s}instances i SET lock_token = NULL, locked_until = NULL, "
                + "visible_at = (SELECT CASE WHEN min(m.visible_at) IS NULL THEN NULL ELSE greatest(min(m.visible_at), " + lease + ") END "
                + "FROM {s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) "
                + "WHERE i.hub = ? AND i.instance_id = ? AND i.lock_token = ? AND i.locked_until > now() RETURNING 1) "
                + "SELECT pg_notify(?, '') FROM u");
        this.nextInstanceDue = db.sql("SELECT (extract(epoch FROM (min(visible_at) - now())) * 1000)::int8 FROM {s}instances "
                + "WHERE hub = ? AND visible_at > now()");
        this.lockActivities = db.sql("WITH c AS (SELECT seq FROM {s}activity_messages WHERE hub = ? AND visible_at <= now() "
                + "ORDER BY visible_at LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "UPDATE {s}activity_messages a SET lock_token = a.seq || '.' || ?, visible_at = " + lease + ", "
                + "delivery_count = a.delivery_count + 1 FROM c WHERE a.seq = c.seq "
                + "RETURNING a.seq, a.lock_token, a.visible_at, a.message_id, a.instance_id, a.execution_id, a.task_id, a.name, "
                + "a.input, a.delivery_count");
        this.renewActivity = db.sql("UPDATE {s}activity_messages SET visible_at = " + lease
                + " WHERE seq = ? AND lock_token = ? AND hub = ? AND visible_at > now() RETURNING visible_at");
        this.abandonActivity = db.sql("WITH u AS (UPDATE {s}activity_messages SET lock_token = NULL, visible_at = " + lease
                + " WHERE seq = ? AND lock_token = ? AND hub = ? AND visible_at > now() RETURNING 1) SELECT pg_notify(?, '') FROM u");
        this.deleteActivities = db.sql("DELETE FROM {s}activity_messages a USING unnest(?::int8[], ?::text[]) AS u(seq, tok) "
                + "WHERE a.seq = u.seq AND a.lock_token = u.tok AND a.hub = ? AND a.visible_at > now() RETURNING a.lock_token");
        this.nextActivityDue = db.sql("SELECT (extract(epoch FROM (min(visible_at) - now())) * 1000)::int8 FROM {s}activity_messages "
                + "WHERE hub = ? AND visible_at > now()");
    }

    // ---------------------------------------------------------------- orchestrations

    List<OrchestrationWorkItem> tryLockOrchestrations(int max, Duration lease) {
        String token = UUID.randomUUID().toString();
        return db.inTransaction("lock orchestration work items", c -> {
            Map<String, Locked> locked = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(lockInstances)) {
                ps.setString(1, hub);
                ps.setInt(2, max);
                ps.setString(3, token);
                ps.setLong(4, lease.toMillis());
                ps.setLong(5, lease.toMillis());
                ps.setString(6, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        locked.put(rs.getString("instance_id"), new Locked(Codec.state(rs, true), rs.getLong("history_version"),
                                rs.getInt("delivery_count"), Db.getInstant(rs, "locked_until"), new ArrayList<>()));
                    }
                }
            }
            if (locked.isEmpty()) {
                return List.of();
            }
            try (PreparedStatement ps = c.prepareStatement(selectMessages)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, locked.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String instanceId = rs.getString(1);
                        locked.get(instanceId).messages().add(new TaskMessage(rs.getString(2), instanceId, rs.getString(3),
                                Codec.event(rs.getString(4)), Db.getInstant(rs, "visible_at")));
                    }
                }
            }
            List<String> empty = new ArrayList<>();
            List<OrchestrationWorkItem> items = new ArrayList<>(locked.size());
            for (Map.Entry<String, Locked> e : locked.entrySet()) {
                Locked l = e.getValue();
                if (l.messages().isEmpty()) {
                    empty.add(e.getKey());
                } else {
                    items.add(new OrchestrationWorkItem(e.getKey(), token, l.lockedUntil(), l.state(), l.messages(),
                            l.historyVersion(), l.deliveryCount()));
                }
            }
            if (!empty.isEmpty()) {
                // e.g. a lease expired on an instance whose messages were consumed meanwhile: nothing to deliver
                try (PreparedStatement ps = c.prepareStatement(releaseEmpty)) {
                    ps.setString(1, hub);
                    ps.setArray(2, Db.textArray(c, empty.toArray()));
                    ps.setString(3, token);
                    ps.executeUpdate();
                }
            }
            return items;
        });
    }

    private record Locked(InstanceState state, long historyVersion, int deliveryCount, Instant lockedUntil,
                          List<TaskMessage> messages) {}

    Instant renewOrchestration(OrchestrationWorkItem item, Duration lease) {
        Instant until = db.autoCommit("renew orchestration lock", c -> {
            try (PreparedStatement ps = c.prepareStatement(renewInstance)) {
                ps.setLong(1, lease.toMillis());
                ps.setLong(2, lease.toMillis());
                ps.setString(3, hub);
                ps.setString(4, item.instanceId());
                ps.setString(5, item.lockToken());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Db.getInstant(rs, "locked_until") : null;
                }
            }
        });
        if (until == null) {
            throw new LeaseLostException(item.instanceId(), "The lock on instance '" + item.instanceId()
                    + "' is no longer held (its lease expired and another worker took it, or it was committed or abandoned).");
        }
        return until;
    }

    void abandonOrchestration(OrchestrationWorkItem item, Duration delay) {
        db.autoCommit("abandon orchestration work item", c -> {
            try (PreparedStatement ps = c.prepareStatement(abandonInstance)) {
                ps.setLong(1, Math.max(0, delay.toMillis()));
                ps.setString(2, hub);
                ps.setString(3, item.instanceId());
                ps.setString(4, item.lockToken());
                ps.setString(5, orchestrationChannel);
                ps.executeQuery().close();
            }
            return null;
        });
    }

    long millisUntilNextOrchestration() {
        return nextDue(nextInstanceDue);
    }

    long millisUntilNextActivity() {
        return nextDue(nextActivityDue);
    }

    private long nextDue(String sql) {
        Long ms = db.autoCommit("read the next due time", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long v = rs.getLong(1);
                        return rs.wasNull() ? null : v;
                    }
                    return null;
                }
            }
        });
        return ms == null ? Long.MAX_VALUE : Math.max(0, ms);
    }

    // ---------------------------------------------------------------- activities

    List<ActivityWorkItem> tryLockActivities(int max, Duration lease) {
        String token = UUID.randomUUID().toString();
        return db.autoCommit("lock activity work items", c -> {
            try (PreparedStatement ps = c.prepareStatement(lockActivities)) {
                ps.setString(1, hub);
                ps.setInt(2, max);
                ps.setString(3, token);
                ps.setLong(4, lease.toMillis());
                List<ActivityWorkItem> items = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ActivityRequest request = new ActivityRequest(rs.getString("message_id"), rs.getString("instance_id"),
                                rs.getString("execution_id"), rs.getInt("task_id"), rs.getString("name"), rs.getString("input"));
                        items.add(new ActivityWorkItem(rs.getString("lock_token"), Db.getInstant(rs, "visible_at"), request,
                                rs.getInt("delivery_count")));
                    }
                }
                return items;
            }
        });
    }

    Instant renewActivity(ActivityWorkItem item, Duration lease) {
        long seq = seqOf(item.lockToken());
        Instant until = seq < 0 ? null : db.autoCommit("renew activity lock", c -> {
            try (PreparedStatement ps = c.prepareStatement(renewActivity)) {
                ps.setLong(1, lease.toMillis());
                ps.setLong(2, seq);
                ps.setString(3, item.lockToken());
                ps.setString(4, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Db.getInstant(rs, "visible_at") : null;
                }
            }
        });
        if (until == null) {
            throw activityLost(item);
        }
        return until;
    }

    void abandonActivity(ActivityWorkItem item, Duration delay) {
        long seq = seqOf(item.lockToken());
        if (seq < 0) {
            return;
        }
        db.autoCommit("abandon activity work item", c -> {
            try (PreparedStatement ps = c.prepareStatement(abandonActivity)) {
                ps.setLong(1, Math.max(0, delay.toMillis()));
                ps.setLong(2, seq);
                ps.setString(3, item.lockToken());
                ps.setString(4, hub);
                ps.setString(5, activityChannel);
                ps.executeQuery().close();
            }
            return null;
        });
    }

    List<CommitResult> completeActivities(List<ActivityResult> results) {
        if (results.isEmpty()) {
            return List.of();
        }
        List<Object> seqs = new ArrayList<>();
        List<Object> tokens = new ArrayList<>();
        for (ActivityResult r : results) {
            long seq = seqOf(r.workItem().lockToken());
            if (seq >= 0) {
                seqs.add(seq);
                tokens.add(r.workItem().lockToken());
            }
        }
        List<ActivityResult> applied = new ArrayList<>();
        db.inTransaction("complete activity work items", c -> {
            Set<String> done = new HashSet<>();
            if (seqs.isEmpty()) {
                return done;
            }
            try (PreparedStatement ps = c.prepareStatement(deleteActivities)) {
                ps.setArray(1, Db.longArray(c, seqs.toArray()));
                ps.setArray(2, Db.textArray(c, tokens.toArray()));
                ps.setString(3, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        done.add(rs.getString(1));
                    }
                }
            }
            List<TaskMessage> responses = new ArrayList<>();
            applied.clear();
            for (ActivityResult r : results) {
                if (done.remove(r.workItem().lockToken())) {
                    applied.add(r);
                    if (r.response() != null) {
                        responses.add(r.response());
                    }
                }
            }
            if (!responses.isEmpty()) {
                enqueuer.insertMessages(c, responses);
                enqueuer.upsertHeads(c, responses);
            }
            return done;
        });
        Set<ActivityResult> appliedSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        appliedSet.addAll(applied);
        List<CommitResult> out = new ArrayList<>(results.size());
        for (ActivityResult r : results) {
            // a second result for the same lock in one batch is refused: only the first is applied
            out.add(appliedSet.contains(r) ? CommitResult.COMMITTED : new CommitResult.Refused(activityLost(r.workItem())));
        }
        return out;
    }

    private static LeaseLostException activityLost(ActivityWorkItem item) {
        return new LeaseLostException(item.request().messageId(), "The lock on activity message '" + item.request().messageId()
                + "' (" + item.request().name() + " for instance '" + item.request().instanceId()
                + "') is no longer held: its lease expired and another worker took it, or it was already completed.");
    }

    /** The activity message's sequence number, encoded in front of its lock token; -1 for a foreign token. */
    static long seqOf(String lockToken) {
        int dot = lockToken == null ? -1 : lockToken.indexOf('.');
        if (dot <= 0) {
            return -1;
        }
        try {
            return Long.parseLong(lockToken.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
