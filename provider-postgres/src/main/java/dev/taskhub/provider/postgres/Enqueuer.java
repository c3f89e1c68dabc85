package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * Inserts orchestration messages in bulk and moves the target instances' queue heads forward, inside the caller's
 * transaction. The insert fires the NOTIFY trigger. Stateless apart from the SQL.
 */
final class Enqueuer {
    private final Db db;
    private final String hub;
    private final String insertMessages;
    private final String ensureRows;
    private final String upsertHeads;
    private final String updateHeads;
    private final String insertActivities;

    Enqueuer(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.insertMessages = db.sql("INSERT INTO {s}orchestration_messages (hub, instance_id, seq, message_id, execution_id, event, visible_at) "
                + "SELECT ?, u.iid, coalesce(u.seq, nextval('{s}orchestration_messages_seq_seq')), u.mid, u.eid, u.ev, coalesce({s}micros_ts(u.v), now()) "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[]) WITH ORDINALITY AS u(iid, mid, eid, ev, v, seq, ord) ORDER BY u.ord");
        this.insertActivities = db.sql("INSERT INTO {s}activity_messages (hub, message_id, instance_id, execution_id, task_id, name, input) "
                + "SELECT ?, u.mid, u.iid, u.eid, u.tid, u.name, u.input "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[]) WITH ORDINALITY AS u(mid, iid, eid, tid, name, input, ord) "
                + "ORDER BY u.ord");
        this.ensureRows = db.sql("INSERT INTO {s}instances (hub, instance_id) SELECT ?, u.iid FROM unnest(?::text[]) AS u(iid) "
                + "ORDER BY u.iid ON CONFLICT (hub, instance_id) DO NOTHING");
        // LEAST ignores nulls; a row whose lease is live keeps its visible_at (= lease end); the holder recomputes it on release
        this.upsertHeads = db.sql("INSERT INTO {s}instances AS i (hub, instance_id, visible_at) "
                + "SELECT ?, u.iid, min(coalesce({s}micros_ts(u.v), now())) FROM unnest(?::text[], ?::int8[]) AS u(iid, v) "
                + "GROUP BY u.iid ORDER BY u.iid "
                + "ON CONFLICT (hub, instance_id) DO UPDATE SET visible_at = LEAST(i.visible_at, EXCLUDED.visible_at) "
                + "WHERE i.lock_token IS NULL");
        this.updateHeads = db.sql("UPDATE {s}instances i SET visible_at = LEAST(i.visible_at, h.v) FROM ("
                + "SELECT u.iid, min(coalesce({s}micros_ts(u.v), now())) AS v FROM unnest(?::text[], ?::int8[]) AS u(iid, v) GROUP BY u.iid) h "
                + "WHERE i.hub = ? AND i.instance_id = h.iid COLLATE \"C\" AND i.lock_token IS NULL");
    }

    /** Inserts the messages (in list order). */
    void insertMessages(Connection c, List<TaskMessage> messages) throws SQLException {
        new Pipeline().add(insertMessagesSql(), insertMessages(messages, new Object[messages.size()])).execute(c);
    }

    /** Enqueues messages in auto-commit mode: insert and head update in one round trip and one implicit transaction. */
    void send(Connection c, List<TaskMessage> messages) throws SQLException {
        new Pipeline().add(insertMessagesSql(), insertMessages(messages, new Object[messages.size()]))
                .add(upsertHeadsSql(), upsertHeads(messages))
                .execute(c);
    }

    String insertMessagesSql() {
        return insertMessages;
    }

    /** Binds {@link #insertMessagesSql()}: the messages with the given sequence numbers (null: the next from the sequence). */
    Pipeline.Binder insertMessages(List<TaskMessage> messages, Object[] seqs) {
        return (ps, i) -> {
            ps.setString(i++, hub);
            i = bindMessageColumns(ps, i, messages);
            ps.setArray(i++, Db.longArray(ps.getConnection(), seqs));
            return i;
        };
    }

    /** Binds the messages as five parallel arrays (instance id, message id, execution id, event JSON, visible-at). */
    static int bindMessageColumns(PreparedStatement ps, int i, List<TaskMessage> messages) throws SQLException {
        Connection c = ps.getConnection();
        int n = messages.size();
        Object[] iid = new Object[n];
        Object[] mid = new Object[n];
        Object[] eid = new Object[n];
        Object[] ev = new Object[n];
        Object[] vis = new Object[n];
        for (int k = 0; k < n; k++) {
            TaskMessage m = messages.get(k);
            iid[k] = m.instanceId();
            mid[k] = m.messageId();
            eid[k] = m.executionId();
            ev[k] = Codec.eventJson(m.event());
            vis[k] = Db.micros(m.visibleAt());
        }
        ps.setArray(i++, Db.textArray(c, iid));
        ps.setArray(i++, Db.textArray(c, mid));
        ps.setArray(i++, Db.textArray(c, eid));
        ps.setArray(i++, Db.textArray(c, ev));
        ps.setArray(i++, Db.longArray(c, vis));
        return i;
    }

    String insertActivitiesSql() {
        return insertActivities;
    }

    /** Binds {@link #insertActivitiesSql()}: the activity requests, in list order (the insert fires the NOTIFY trigger). */
    Pipeline.Binder insertActivities(List<ActivityRequest> activities) {
        return (ps, i) -> {
            Connection c = ps.getConnection();
            int m = activities.size();
            Object[] mid = new Object[m];
            Object[] iid = new Object[m];
            Object[] eid = new Object[m];
            Object[] tid = new Object[m];
            Object[] name = new Object[m];
            Object[] input = new Object[m];
            for (int k = 0; k < m; k++) {
                ActivityRequest r = activities.get(k);
                mid[k] = r.messageId();
                iid[k] = r.instanceId();
                eid[k] = r.executionId();
                tid[k] = r.taskId();
                name[k] = r.name();
                input[k] = r.input();
            }
            ps.setString(i++, hub);
            ps.setArray(i++, Db.textArray(c, mid));
            ps.setArray(i++, Db.textArray(c, iid));
            ps.setArray(i++, Db.textArray(c, eid));
            ps.setArray(i++, Db.intArray(c, tid));
            ps.setArray(i++, Db.textArray(c, name));
            ps.setArray(i++, Db.textArray(c, input));
            return i;
        };
    }

    String ensureRowsSql() {
        return ensureRows;
    }

    /** Binds {@link #ensureRowsSql()}: creates missing instance rows (as placeholders) without locking existing ones. */
    Pipeline.Binder ensureRows(Collection<String> instanceIds) {
        return (ps, i) -> {
            ps.setString(i++, hub);
            ps.setArray(i++, Db.textArray(ps.getConnection(), instanceIds.toArray()));
            return i;
        };
    }

    String upsertHeadsSql() {
        return upsertHeads;
    }

    /** Binds {@link #upsertHeadsSql()}: creates or moves forward the queue heads of the messages' targets. */
    Pipeline.Binder upsertHeads(List<TaskMessage> messages) {
        return (ps, i) -> {
            ps.setString(i++, hub);
            return setTargets(ps, i, messages);
        };
    }

    String updateHeadsSql() {
        return updateHeads;
    }

    /** Binds {@link #updateHeadsSql()}: moves forward the heads of existing, unleased rows. */
    Pipeline.Binder updateHeads(List<TaskMessage> messages) {
        return (ps, i) -> {
            i = setTargets(ps, i, messages);
            ps.setString(i++, hub);
            return i;
        };
    }

    private static int setTargets(PreparedStatement ps, int first, List<TaskMessage> messages) throws SQLException {
        int n = messages.size();
        Object[] iid = new Object[n];
        Object[] vis = new Object[n];
        for (int i = 0; i < n; i++) {
            iid[i] = messages.get(i).instanceId();
            vis[i] = Db.micros(messages.get(i).visibleAt());
        }
        ps.setArray(first, Db.textArray(ps.getConnection(), iid));
        ps.setArray(first + 1, Db.longArray(ps.getConnection(), vis));
        return first + 2;
    }
}
