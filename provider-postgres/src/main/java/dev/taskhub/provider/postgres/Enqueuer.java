package dev.taskhub.provider.postgres;

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

    Enqueuer(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.insertMessages = db.sql("INSERT INTO {s}orchestration_messages (hub, instance_id, seq, message_id, execution_id, event, visible_at) "
                + "SELECT ?, u.iid, coalesce(u.seq, nextval('{s}orchestration_messages_seq_seq')), u.mid, u.eid, u.ev, coalesce({s}micros_ts(u.v), now()) "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[]) WITH ORDINALITY AS u(iid, mid, eid, ev, v, seq, ord) ORDER BY u.ord");
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
                + "WHERE i.hub = ? AND i.instance_id = h.iid AND i.lock_token IS NULL");
    }

    /** Inserts the messages (in list order). */
    void insertMessages(Connection c, List<TaskMessage> messages) throws SQLException {
        insertMessages(c, messages, new Object[messages.size()]);
    }

    /** Inserts the messages with the given sequence numbers (null elements: the next from the sequence). */
    void insertMessages(Connection c, List<TaskMessage> messages, Object[] seqs) throws SQLException {
        int n = messages.size();
        Object[] iid = new Object[n];
        Object[] mid = new Object[n];
        Object[] eid = new Object[n];
        Object[] ev = new Object[n];
        Object[] vis = new Object[n];
        for (int i = 0; i < n; i++) {
            TaskMessage m = messages.get(i);
            iid[i] = m.instanceId();
            mid[i] = m.messageId();
            eid[i] = m.executionId();
            ev[i] = Codec.eventJson(m.event());
            vis[i] = Db.micros(m.visibleAt());
        }
        try (PreparedStatement ps = c.prepareStatement(insertMessages)) {
            ps.setString(1, hub);
            ps.setArray(2, Db.textArray(c, iid));
            ps.setArray(3, Db.textArray(c, mid));
            ps.setArray(4, Db.textArray(c, eid));
            ps.setArray(5, Db.textArray(c, ev));
            ps.setArray(6, Db.longArray(c, vis));
            ps.setArray(7, Db.longArray(c, seqs));
            ps.executeUpdate();
        }
    }

    /** Creates missing instance rows (as phantoms) without locking existing ones. */
    void ensureRows(Connection c, Collection<String> instanceIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ensureRows)) {
            ps.setString(1, hub);
            ps.setArray(2, Db.textArray(c, instanceIds.toArray()));
            ps.executeUpdate();
        }
    }

    /** Creates or moves forward the queue heads of the messages' targets. */
    void upsertHeads(Connection c, List<TaskMessage> messages) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertHeads)) {
            ps.setString(1, hub);
            setTargets(c, ps, 2, messages);
            ps.executeUpdate();
        }
    }

    /** Moves forward the heads of existing rows (already locked by the caller's transaction). */
    void updateHeads(Connection c, List<TaskMessage> messages) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(updateHeads)) {
            setTargets(c, ps, 1, messages);
            ps.setString(3, hub);
            ps.executeUpdate();
        }
    }

    private static void setTargets(Connection c, PreparedStatement ps, int first, List<TaskMessage> messages) throws SQLException {
        int n = messages.size();
        Object[] iid = new Object[n];
        Object[] vis = new Object[n];
        for (int i = 0; i < n; i++) {
            iid[i] = messages.get(i).instanceId();
            vis[i] = Db.micros(messages.get(i).visibleAt());
        }
        ps.setArray(first, Db.textArray(c, iid));
        ps.setArray(first + 1, Db.longArray(c, vis));
    }
}
