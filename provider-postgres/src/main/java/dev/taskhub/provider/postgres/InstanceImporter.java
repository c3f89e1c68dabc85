package dev.taskhub.provider.postgres;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.InstanceImport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

/**
 * Writes an imported instance — row, full history, messages and activity requests — in one transaction, with the
 * id-reuse semantics of {@link InstanceRepository#create}: a replaceable instance is replaced (history and pending
 * messages deleted, history version bumped so a stale lock holder's commit is refused), a placeholder row (messages
 * that arrived before the instance existed) is filled and keeps its messages, any other existing instance is refused.
 * Thread-safe.
 */
final class InstanceImporter {
    private final Db db;
    private final String hub;
    private final Enqueuer enqueuer;
    private final String insertRow;
    private final String selectForUpdate;
    private final String updateRow;
    private final String deleteHistory;
    private final String deleteMessages;
    private final String insertHistory;

    InstanceImporter(Db db, Enqueuer enqueuer) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.enqueuer = enqueuer;
        this.insertRow = db.sql("INSERT INTO {s}instances (hub, instance_id, name, version, execution_id, status, input, "
                + "output, custom_status, failure_details, created_ns, updated_ns, scheduled_ns, parent_instance_id, "
                + "history_version, history_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) "
                + "ON CONFLICT (hub, instance_id) DO NOTHING");
        this.selectForUpdate = db.sql("SELECT status FROM {s}instances WHERE hub = ? AND instance_id = ? FOR UPDATE");
        // a replaced instance loses its lease; a placeholder keeps the lease a worker may hold on its messages
        this.updateRow = db.sql("UPDATE {s}instances i SET name = ?, version = ?, execution_id = ?, status = ?, input = ?, "
                + "output = ?, custom_status = ?, failure_details = ?, created_ns = ?, updated_ns = ?, scheduled_ns = ?, "
                + "parent_instance_id = ?, history_version = i.history_version + 1, history_count = ?, "
                + "lock_token = CASE WHEN ?::bool THEN NULL ELSE i.lock_token END, "
                + "locked_until = CASE WHEN ?::bool THEN NULL ELSE i.locked_until END, "
                + "delivery_count = CASE WHEN ?::bool THEN 0 ELSE i.delivery_count END, "
                + "visible_at = CASE WHEN ?::bool OR i.lock_token IS NULL THEN (SELECT min(m.visible_at) FROM "
                + "{s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) ELSE i.visible_at END "
                + "WHERE i.hub = ? AND i.instance_id = ?");
        this.deleteHistory = db.sql("DELETE FROM {s}history WHERE hub = ? AND instance_id = ?");
        this.deleteMessages = db.sql("DELETE FROM {s}orchestration_messages WHERE hub = ? AND instance_id = ?");
        this.insertHistory = db.sql("INSERT INTO {s}history (hub, instance_id, seq, event) "
                + "SELECT ?, ?, u.ord - 1, u.ev FROM unnest(?::text[]) WITH ORDINALITY AS u(ev, ord)");
    }

    /** Returns whether an existing instance was replaced. */
    boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceable) {
        return db.inTransaction("import instance", c -> {
            boolean replaced = writeRow(c, instance, replaceable);
            if (!instance.history().isEmpty()) {
                Object[] events = instance.history().stream().map(Codec::eventJson).toArray();
                try (PreparedStatement ps = c.prepareStatement(insertHistory)) {
                    ps.setString(1, hub);
                    ps.setString(2, instance.instanceId());
                    ps.setArray(3, Db.textArray(c, events));
                    ps.executeUpdate();
                }
            }
            if (!instance.orchestrationMessages().isEmpty()) {
                enqueuer.send(c, instance.orchestrationMessages());
            }
            if (!instance.activityRequests().isEmpty()) {
                new Pipeline().add(enqueuer.insertActivitiesSql(), enqueuer.insertActivities(instance.activityRequests())).execute(c);
            }
            return replaced;
        });
    }

    /** Inserts or updates the row (deleting a replaced instance's history and messages); whether one was replaced. */
    private boolean writeRow(Connection c, InstanceImport instance, Set<RuntimeStatus> replaceable) throws SQLException {
        String id = instance.instanceId();
        while (true) {
            try (PreparedStatement ps = c.prepareStatement(insertRow)) {
                ps.setString(1, hub);
                ps.setString(2, id);
                int i = InstanceRepository.setState(ps, 3, instance.state());
                ps.setInt(i, instance.history().size());
                if (ps.executeUpdate() == 1) {
                    return false;
                }
            }
            boolean exists;
            String status;
            try (PreparedStatement ps = c.prepareStatement(selectForUpdate)) {
                ps.setString(1, hub);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                    status = exists ? rs.getString(1) : null;
                }
            }
            if (!exists) {
                continue;   // deleted concurrently: insert again
            }
            boolean replace = status != null;
            if (replace) {
                RuntimeStatus existing = RuntimeStatus.valueOf(status);
                if (!replaceable.contains(existing)) {
                    throw new InstanceAlreadyExistsException(id, existing);
                }
                for (String sql : new String[] {deleteHistory, deleteMessages}) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, hub);
                        ps.setString(2, id);
                        ps.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(updateRow)) {
                int i = InstanceRepository.setState(ps, 1, instance.state());
                ps.setInt(i++, instance.history().size());
                for (int k = 0; k < 4; k++) {
                    ps.setBoolean(i++, replace);
                }
                ps.setString(i++, hub);
                ps.setString(i, id);
                ps.executeUpdate();
            }
            return replace;
        }
    }
}
