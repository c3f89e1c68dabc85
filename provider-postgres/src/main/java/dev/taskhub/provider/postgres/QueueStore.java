package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
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
import java.util.List;
import java.util.Set;

/**
 * The orchestration and activity queues: locking with {@code FOR UPDATE SKIP LOCKED} plus a lease stored in the row,
 * renewal, abandon, and batched activity completion. Thread-safe.
 */
final class QueueStore {
    private final OwnerLiveness owner;
    private final Db db;
    private final String hub;
    private final Enqueuer enqueuer;
    private final String orchestrationChannel;
    private final String activityChannel;

    private final String lockInstancesCore;
    private final String lockInstances;
    private final String releaseEmpty;
    private final String renewInstance;
    private final String abandonInstance;
    private final String lockActivitiesCore;
    private final String lockActivities;
    private final String renewActivity;
    private final String abandonActivity;
    private final String completeActivities;
    private final long resultCoalescingMicros;

    /**
     * Runs after a lock statement, in the same round trip and implicit transaction: milliseconds until the queue's next
     * item becomes due (a timer, a delayed message or a lease running out), null when nothing is scheduled. A waiter
     * that found nothing sleeps that long at most.
     */
    private static final String NEXT_DUE = "SELECT (extract(epoch FROM (min(visible_at) - now())) * 1000)::int8 FROM {s}{t} "
            + "WHERE hub = ? AND visible_at > now()";

    /** Items just locked, and when the queue's next item is due (for a caller that got none). */
    record Locked<T>(List<T> items, long millisUntilNextDue) {}

    QueueStore(Db db, Enqueuer enqueuer, OwnerLiveness owner) {
        this.db = db;
        this.owner = owner;
        this.resultCoalescingMicros = db.settings().resultCoalescing().toNanos() / 1000;
        this.hub = db.settings().taskHub();
        this.enqueuer = enqueuer;
        this.orchestrationChannel = NotificationListener.channel(db.settings().schema(), hub, "o");
        this.activityChannel = NotificationListener.channel(db.settings().schema(), hub, "a");
        String lease = "now() + ? * interval '1 millisecond'";
        // one statement: lock the instances and read all their visible messages, aggregated per instance.
        // The lock statements run in a transaction of their own or at the end of a commit's (the next batch locked with
        // the commit): their time is the statement's, not the transaction's start, so that every message committed
        // before the statement's snapshot counts as due, as it does for a lock on its own. With the transaction's start
        // a message committed while the commit ran could be skipped while a later one of the same instance is delivered.
        this.lockInstancesCore = db.sql("WITH c AS (SELECT instance_id FROM {s}instances WHERE hub = ? AND visible_at <= now() "
                + "ORDER BY visible_at LIMIT ? FOR UPDATE SKIP LOCKED), "
                + "l AS (UPDATE {s}instances i SET lock_token = ?, locked_until = " + lease + ", visible_at = " + lease + ", "
                + "delivery_count = i.delivery_count + 1 FROM c WHERE i.hub = ? AND i.instance_id = c.instance_id "
                + "RETURNING i.instance_id, i.name, i.version, i.execution_id, i.status, i.input, i.output, i.custom_status, "
                + "i.failure_details, i.created_ns, i.updated_ns, i.scheduled_ns, i.parent_instance_id, "
                + "i.history_version, i.delivery_count, i.locked_until) "
                + "SELECT l.*, m.mids, m.eids, m.evs, m.vis FROM l LEFT JOIN LATERAL (SELECT "
                + "array_agg(message_id ORDER BY seq) AS mids, array_agg(execution_id ORDER BY seq) AS eids, "
                + "array_agg(event ORDER BY seq) AS evs, array_agg(visible_at ORDER BY seq) AS vis "
                + "FROM {s}orchestration_messages m WHERE m.hub = ? AND m.instance_id = l.instance_id AND m.visible_at <= now()) m ON true").replace("now()", "statement_timestamp()");
        this.lockInstances = Db.ASYNC_COMMIT + lockInstancesCore + ";\n" + db.sql(NEXT_DUE.replace("{t}", "instances"));
        this.releaseEmpty = db.sql("UPDATE {s}instances i SET lock_token = NULL, locked_until = NULL, "
                + "delivery_count = greatest(i.delivery_count - 1, 0), "
                + "visible_at = (SELECT min(m.visible_at) FROM {s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) "
                + "WHERE i.hub = ? AND i.instance_id = ANY(?) AND i.lock_token = ?");
        this.renewInstance = db.sql(Db.ASYNC_COMMIT + "UPDATE {s}instances SET locked_until = " + lease + ", visible_at = " + lease
                + " WHERE hub = ? AND instance_id = ? AND lock_token = ? AND locked_until > now() RETURNING locked_until");
        this.abandonInstance = db.sql("WITH u AS (UPDATE {s}instances i SET lock_token = NULL, locked_until = NULL, "
                + "visible_at = (SELECT CASE WHEN min(m.visible_at) IS NULL THEN NULL ELSE greatest(min(m.visible_at), " + lease + ") END "
                + "FROM {s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) "
                + "WHERE i.hub = ? AND i.instance_id = ? AND i.lock_token = ? AND i.locked_until > now() RETURNING 1) "
                + "SELECT pg_notify(?, '') FROM u");
        this.lockActivitiesCore = db.sql("WITH c AS (SELECT seq FROM {s}activity_messages WHERE hub = ? AND visible_at <= now() "
                + "ORDER BY visible_at LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "UPDATE {s}activity_messages a SET lock_token = a.seq || '.' || ?, visible_at = " + lease + ", "
                + "delivery_count = a.delivery_count + 1 WHERE a.seq = ANY(ARRAY(SELECT seq FROM c)) "
                + "RETURNING a.seq, a.lock_token, a.visible_at, a.message_id, a.instance_id, a.execution_id, a.task_id, a.name, "
                + "a.input, a.delivery_count").replace("now()", "statement_timestamp()");
        this.lockActivities = Db.ASYNC_COMMIT + lockActivitiesCore + ";\n" + db.sql(NEXT_DUE.replace("{t}", "activity_messages"));
        this.renewActivity = db.sql(Db.ASYNC_COMMIT + "UPDATE {s}activity_messages SET visible_at = " + lease
                + " WHERE seq = ? AND lock_token = ? AND hub = ? AND visible_at > now() RETURNING visible_at");
        this.abandonActivity = db.sql("WITH u AS (UPDATE {s}activity_messages SET lock_token = NULL, visible_at = " + lease
                + " WHERE seq = ? AND lock_token = ? AND hub = ? AND visible_at > now() RETURNING 1) SELECT pg_notify(?, '') FROM u");
        // one statement: delete the activity messages whose lock still holds, enqueue their results, move the heads;
        // an instance that still has activities out gets its head a little later, so that the results arriving
        // meanwhile are handled by one episode instead of one each (fan-in)
        // The messages are found by key lookups of their seqs (a token starts with its message's seq, so a token matches
        // only its own message), never by a join: the queue's statistics, taken when its messages were mostly unlocked,
        // say that almost none has a lease (visible_at > now()), and a join then walked the whole queue once per result.
        this.completeActivities = db.sql("WITH d AS (DELETE FROM {s}activity_messages a WHERE a.seq = ANY(?::int8[]) "
                + "AND a.lock_token = ANY(?::text[]) AND a.hub = ? AND a.visible_at > now() RETURNING a.seq, a.lock_token), "
                + "r AS (SELECT u.* FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[]) WITH ORDINALITY "
                + "AS u(tok, iid, mid, eid, ev, v, ord) WHERE u.tok IN (SELECT lock_token FROM d)), "
                + "ins AS (INSERT INTO {s}orchestration_messages (hub, instance_id, message_id, execution_id, event, visible_at) "
                + "SELECT ?, r.iid, r.mid, r.eid, r.ev, coalesce({s}micros_ts(r.v), now()) FROM r ORDER BY r.ord), "
                + "h AS (INSERT INTO {s}instances AS i (hub, instance_id, visible_at) "
                + "SELECT ?, r.iid, min(coalesce({s}micros_ts(r.v), now())) + CASE WHEN EXISTS (SELECT 1 FROM {s}activity_messages o "
                + "WHERE o.hub = ? AND o.instance_id = r.iid AND o.seq NOT IN (SELECT seq FROM d)) "
                + "THEN ? * interval '1 microsecond' ELSE interval '0' END FROM r GROUP BY r.iid ORDER BY r.iid "
                + "ON CONFLICT (hub, instance_id) DO UPDATE SET visible_at = LEAST(i.visible_at, EXCLUDED.visible_at) "
                + "WHERE i.lock_token IS NULL) "
                + "SELECT lock_token FROM d");
    }

    /** The statements that lock and complete activity messages (tests check their query plans). */
    List<String> activityStatementsSql() {
        return List.of(lockActivitiesCore, completeActivities);
    }

    // ---------------------------------------------------------------- orchestrations

    Locked<OrchestrationWorkItem> tryLockOrchestrations(int max, Duration lease) {
        String token = owner.token();
        return db.autoCommit("lock orchestration work items", c -> {
            LockedInstances locked = new LockedInstances(token);
            long nextDue;
            try (PreparedStatement ps = c.prepareStatement(lockInstances)) {
                ps.setString(bindLockInstances(ps, 1, max, lease, token), hub);   // the next-due read
                try (ResultSet rs = Db.queryAfterPrefix(ps)) {
                    locked.read(rs);
                }
                nextDue = nextDueAfter(ps);
            }
            if (!locked.empty.isEmpty()) {
                releaseEmpty(c, locked);
                nextDue = 0; // the next-due read above still saw them leased: look again
            }
            return new Locked<>(locked.items, nextDue);
        });
    }

    /**
     * Adds the orchestration lock statement to a pipeline (a checkpoint's transaction locks the next batch); the items it
     * locks land in the returned collector, whose empty rows the caller releases with {@link #releaseEmpty} afterwards.
     */
    LockedInstances lockOrchestrationsIn(Pipeline pipeline, int max, Duration lease) {
        LockedInstances locked = new LockedInstances(owner.token());
        pipeline.query(lockInstancesCore, (ps, i) -> bindLockInstances(ps, i, max, lease, locked.token), locked::read);
        return locked;
    }

    private int bindLockInstances(PreparedStatement ps, int i, int max, Duration lease, String token) throws SQLException {
        ps.setString(i++, hub);
        ps.setInt(i++, max);
        ps.setString(i++, token);
        ps.setLong(i++, lease.toMillis());
        ps.setLong(i++, lease.toMillis());
        ps.setString(i++, hub);
        ps.setString(i++, hub);
        return i;
    }

    /** Instances one lock statement took: those with messages become work items, the others must be released. */
    static final class LockedInstances {
        final String token;
        final List<OrchestrationWorkItem> items = new ArrayList<>();
        final List<String> empty = new ArrayList<>();

        LockedInstances(String token) {
            this.token = token;
        }

        void read(ResultSet rs) throws SQLException {
            while (rs.next()) {
                String instanceId = rs.getString("instance_id");
                java.sql.Array mids = rs.getArray("mids");
                if (mids == null) {
                    empty.add(instanceId);
                    continue;
                }
                String[] ids = (String[]) mids.getArray();
                String[] eids = (String[]) rs.getArray("eids").getArray();
                String[] evs = (String[]) rs.getArray("evs").getArray();
                java.sql.Timestamp[] vis = (java.sql.Timestamp[]) rs.getArray("vis").getArray();
                List<TaskMessage> messages = new ArrayList<>(ids.length);
                for (int k = 0; k < ids.length; k++) {
                    messages.add(new TaskMessage(ids[k], instanceId, eids[k], Codec.event(evs[k]),
                            vis[k] == null ? null : vis[k].toInstant()));
                }
                items.add(new OrchestrationWorkItem(instanceId, token, Db.getInstant(rs, "locked_until"),
                        Codec.state(rs, true), messages, rs.getLong("history_version"), rs.getInt("delivery_count")));
            }
        }
    }

    /**
     * Releases locked instances that had no visible message (e.g. a lease expired on an instance whose messages were
     * consumed meanwhile: nothing to deliver).
     */
    void releaseEmpty(Connection c, LockedInstances locked) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(releaseEmpty)) {
            ps.setString(1, hub);
            ps.setArray(2, Db.textArray(c, locked.empty.toArray()));
            ps.setString(3, locked.token);
            ps.executeUpdate();
        }
    }

    Instant renewOrchestration(OrchestrationWorkItem item, Duration lease) {
        Instant until = db.autoCommit("renew orchestration lock", c -> {
            try (PreparedStatement ps = c.prepareStatement(renewInstance)) {
                ps.setLong(1, lease.toMillis());
                ps.setLong(2, lease.toMillis());
                ps.setString(3, hub);
                ps.setString(4, item.instanceId());
                ps.setString(5, item.lockToken());
                try (ResultSet rs = Db.queryAfterPrefix(ps)) {
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

    /** Reads the {@link #NEXT_DUE} result that follows a lock statement's own result. */
    private static long nextDueAfter(PreparedStatement ps) throws SQLException {
        if (!ps.getMoreResults()) {
            throw new SQLException("Expected the next-due result after the lock statement");
        }
        try (ResultSet rs = ps.getResultSet()) {
            long ms = rs.next() ? rs.getLong(1) : 0;
            return rs.wasNull() ? Long.MAX_VALUE : Math.max(0, ms);
        }
    }

    // ---------------------------------------------------------------- activities

    Locked<ActivityWorkItem> tryLockActivities(int max, Duration lease) {
        String token = owner.token();
        return db.autoCommit("lock activity work items", c -> {
            try (PreparedStatement ps = c.prepareStatement(lockActivities)) {
                ps.setString(bindLockActivities(ps, 1, max, lease, token), hub);   // the next-due read
                List<ActivityWorkItem> items = new ArrayList<>();
                try (ResultSet rs = Db.queryAfterPrefix(ps)) {
                    readActivities(rs, items);
                }
                return new Locked<>(items, nextDueAfter(ps));
            }
        });
    }

    private int bindLockActivities(PreparedStatement ps, int i, int max, Duration lease, String token) throws SQLException {
        ps.setString(i++, hub);
        ps.setInt(i++, max);
        ps.setString(i++, token);
        ps.setLong(i++, lease.toMillis());
        return i;
    }

    private static void readActivities(ResultSet rs, List<ActivityWorkItem> items) throws SQLException {
        while (rs.next()) {
            ActivityRequest request = new ActivityRequest(rs.getString("message_id"), rs.getString("instance_id"),
                    rs.getString("execution_id"), rs.getInt("task_id"), rs.getString("name"), rs.getString("input"));
            items.add(new ActivityWorkItem(rs.getString("lock_token"), Db.getInstant(rs, "visible_at"), request,
                    rs.getInt("delivery_count")));
        }
    }

    Instant renewActivity(ActivityWorkItem item, Duration lease) {
        long seq = seqOf(item.lockToken());
        Instant until = seq < 0 ? null : db.autoCommit("renew activity lock", c -> {
            try (PreparedStatement ps = c.prepareStatement(renewActivity)) {
                ps.setLong(1, lease.toMillis());
                ps.setLong(2, seq);
                ps.setString(3, item.lockToken());
                ps.setString(4, hub);
                try (ResultSet rs = Db.queryAfterPrefix(ps)) {
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

    /**
     * Applies activity results and, in the same round trip and transaction, locks up to {@code lockMax} more activity
     * messages (none when 0).
     */
    CommittedBatch<ActivityWorkItem> completeActivities(List<ActivityResult> results, int lockMax, Duration lease) {
        // only the first result per lock token can apply; later ones are refused
        Set<String> tokens = new HashSet<>();
        List<Object> seqs = new ArrayList<>();
        List<Object> toks = new ArrayList<>();
        List<Object> rTok = new ArrayList<>();
        List<TaskMessage> responses = new ArrayList<>();
        boolean[] candidate = new boolean[results.size()];
        for (int i = 0; i < results.size(); i++) {
            ActivityResult r = results.get(i);
            String token = r.workItem().lockToken();
            long seq = seqOf(token);
            if (seq >= 0 && tokens.add(token)) {
                candidate[i] = true;
                seqs.add(seq);
                toks.add(token);
                if (r.response() != null) {
                    rTok.add(token);
                    responses.add(r.response());
                }
            }
        }
        Set<String> applied = new HashSet<>();
        List<ActivityWorkItem> locked = new ArrayList<>();
        if (!seqs.isEmpty() || lockMax > 0) {
            db.autoCommit("complete activity work items", c -> {
                Pipeline pipeline = new Pipeline();
                if (!seqs.isEmpty()) {
                    pipeline.query(completeActivities, (ps, i) -> {
                        ps.setArray(i++, Db.longArray(c, seqs.toArray()));
                        ps.setArray(i++, Db.textArray(c, toks.toArray()));
                        ps.setString(i++, hub);
                        ps.setArray(i++, Db.textArray(c, rTok.toArray()));
                        i = Enqueuer.bindMessageColumns(ps, i, responses);
                        ps.setString(i++, hub);
                        ps.setString(i++, hub);
                        ps.setString(i++, hub);
                        ps.setLong(i++, resultCoalescingMicros);
                        return i;
                    }, rs -> {
                        while (rs.next()) {
                            applied.add(rs.getString(1));
                        }
                    });
                }
                if (lockMax > 0) {
                    String token = owner.token();
                    pipeline.query(lockActivitiesCore, (ps, i) -> bindLockActivities(ps, i, lockMax, lease, token),
                            rs -> readActivities(rs, locked));
                }
                pipeline.execute(c);
                return null;
            });
        }
        List<CommitResult> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            ActivityResult r = results.get(i);
            out.add(candidate[i] && applied.contains(r.workItem().lockToken())
                    ? CommitResult.COMMITTED : new CommitResult.Refused(activityLost(r.workItem())));
        }
        return new CommittedBatch<>(out, locked);
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
