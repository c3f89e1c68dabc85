package dev.taskhub.provider.postgres;

import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies a batch of checkpoints in one transaction with a fixed number of statements, whatever the batch size.
 * First every instance row the batch touches (its own instances and the targets of its messages) is row-locked in
 * one sorted pass, so concurrent batches cannot deadlock; then each checkpoint is validated (lock token and history
 * version) and only the valid ones are written, so each stays all-or-nothing. Thread-safe.
 */
final class CheckpointWriter {
    private final Db db;
    private final String hub;
    private final Enqueuer enqueuer;
    private final String lockRows;
    private final String deleteHistory;
    private final String insertHistory;
    private final String deleteConsumed;
    private final String updateOwn;
    private final String insertActivities;
    private final String deletePhantoms;
    private final String seqGaps;

    CheckpointWriter(Db db, Enqueuer enqueuer) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.enqueuer = enqueuer;
        this.lockRows = db.sql("SELECT instance_id, lock_token, history_version, history_count, locked_until > now() FROM {s}instances "
                + "WHERE hub = ? AND instance_id = ANY(?) ORDER BY instance_id FOR UPDATE");
        this.deleteHistory = db.sql("DELETE FROM {s}history WHERE hub = ? AND instance_id = ANY(?)");
        this.insertHistory = db.sql("INSERT INTO {s}history (hub, instance_id, seq, event) "
                + "SELECT ?, u.iid, u.seq, u.ev FROM unnest(?::text[], ?::int4[], ?::text[]) AS u(iid, seq, ev)");
        this.deleteConsumed = db.sql("DELETE FROM {s}orchestration_messages m USING unnest(?::text[], ?::text[]) AS u(iid, mid) "
                + "WHERE m.hub = ? AND m.instance_id = u.iid AND m.message_id = u.mid RETURNING m.instance_id, m.seq");
        this.seqGaps = db.sql("SELECT u.iid, (SELECT max(m.seq) FROM {s}orchestration_messages m WHERE m.hub = ? "
                + "AND m.instance_id = u.iid AND m.seq < u.lo) FROM unnest(?::text[], ?::int8[]) AS u(iid, lo)");
        this.updateOwn = db.sql("UPDATE {s}instances i SET "
                + "name = CASE WHEN u.has_state THEN u.name ELSE i.name END, "
                + "version = CASE WHEN u.has_state THEN u.version ELSE i.version END, "
                + "execution_id = CASE WHEN u.has_state THEN u.eid ELSE i.execution_id END, "
                + "status = CASE WHEN u.has_state THEN u.status ELSE i.status END, "
                + "input = CASE WHEN u.has_state THEN u.input ELSE i.input END, "
                + "output = CASE WHEN u.has_state THEN u.output ELSE i.output END, "
                + "custom_status = CASE WHEN u.has_state THEN u.custom ELSE i.custom_status END, "
                + "failure_details = CASE WHEN u.has_state THEN u.failure ELSE i.failure_details END, "
                + "created_ns = CASE WHEN u.has_state THEN u.created ELSE i.created_ns END, "
                + "updated_ns = CASE WHEN u.has_state THEN u.updated ELSE i.updated_ns END, "
                + "scheduled_ns = CASE WHEN u.has_state THEN u.scheduled ELSE i.scheduled_ns END, "
                + "parent_instance_id = CASE WHEN u.has_state THEN u.parent ELSE i.parent_instance_id END, "
                + "history_version = u.hv, history_count = u.hc, lock_token = NULL, locked_until = NULL, delivery_count = 0, "
                + "visible_at = (SELECT min(m.visible_at) FROM {s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) "
                + "FROM unnest(?::text[], ?::bool[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
                + "?::text[], ?::int8[], ?::int8[], ?::int8[], ?::text[], ?::int8[], ?::int4[]) "
                + "AS u(iid, has_state, name, version, eid, status, input, output, custom, failure, created, updated, scheduled, parent, hv, hc) "
                + "WHERE i.hub = ? AND i.instance_id = u.iid");
        this.insertActivities = db.sql("INSERT INTO {s}activity_messages (hub, message_id, instance_id, execution_id, task_id, name, input) "
                + "SELECT ?, u.mid, u.iid, u.eid, u.tid, u.name, u.input "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[]) WITH ORDINALITY AS u(mid, iid, eid, tid, name, input, ord) "
                + "ORDER BY u.ord");
        this.deletePhantoms = db.sql("DELETE FROM {s}instances WHERE hub = ? AND instance_id = ANY(?) AND status IS NULL "
                + "AND visible_at IS NULL AND lock_token IS NULL AND history_count = 0");
    }

    /**
     * Sequence numbers for messages a checkpoint sends to its own instance (continue-as-new's ExecutionStarted and
     * carried-over events, timers): they take the place of the messages the checkpoint consumed, just below the lowest
     * of them, so they stay ahead of messages that arrived while the episode ran (otherwise an event raised during a
     * continue-as-new episode would overtake the events carried over from before it). Sequence numbers only need to be
     * unique per instance; when the gap below is too small the message simply gets the next global number.
     */
    private Object[] selfMessageSeqs(Connection c, List<TaskMessage> outbound, Map<String, Long> lowestConsumed) throws SQLException {
        Object[] seqs = new Object[outbound.size()];
        Map<String, List<Integer>> selfIndexes = new HashMap<>();
        for (int i = 0; i < outbound.size(); i++) {
            String target = outbound.get(i).instanceId();
            if (lowestConsumed.containsKey(target)) {
                selfIndexes.computeIfAbsent(target, k -> new ArrayList<>()).add(i);
            }
        }
        if (selfIndexes.isEmpty()) {
            return seqs;
        }
        List<Object> ids = new ArrayList<>(selfIndexes.keySet());
        Object[] lows = ids.stream().map(lowestConsumed::get).toArray();
        try (PreparedStatement ps = c.prepareStatement(seqGaps)) {
            ps.setString(1, hub);
            ps.setArray(2, Db.textArray(c, ids.toArray()));
            ps.setArray(3, Db.longArray(c, lows));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    long below = rs.getLong(2); // 0 when no message lies below
                    long low = lowestConsumed.get(id);
                    List<Integer> indexes = selfIndexes.get(id);
                    if (low - below - 1 >= indexes.size()) {
                        long first = low - indexes.size();
                        for (int k = 0; k < indexes.size(); k++) {
                            seqs[indexes.get(k)] = first + k;
                        }
                    }
                }
            }
        }
        return seqs;
    }

    /** Commits the batch; returns one result per checkpoint, in order. */
    List<CommitResult> commit(List<Checkpoint> checkpoints) {
        if (checkpoints.isEmpty()) {
            return List.of();
        }
        Set<String> ids = new HashSet<>();
        for (Checkpoint cp : checkpoints) {
            if (!ids.add(cp.workItem().instanceId())) {
                // the same instance twice in one batch: apply them one after the other (the second is then refused)
                List<CommitResult> out = new ArrayList<>();
                for (Checkpoint one : checkpoints) {
                    out.addAll(commit(List.of(one)));
                }
                return out;
            }
        }
        return db.inTransaction("commit checkpoints", c -> commitInTransaction(c, checkpoints));
    }

    private record Row(String lockToken, long historyVersion, int historyCount, boolean leaseLive) {}

    private List<CommitResult> commitInTransaction(Connection c, List<Checkpoint> checkpoints) throws SQLException {
        Set<String> own = new HashSet<>();
        TreeSet<String> all = new TreeSet<>();
        TreeSet<String> foreignTargets = new TreeSet<>();
        for (Checkpoint cp : checkpoints) {
            own.add(cp.workItem().instanceId());
            all.add(cp.workItem().instanceId());
        }
        for (Checkpoint cp : checkpoints) {
            for (TaskMessage m : cp.orchestrationMessages()) {
                if (!own.contains(m.instanceId())) {
                    foreignTargets.add(m.instanceId());
                }
            }
        }
        if (!foreignTargets.isEmpty()) {
            enqueuer.ensureRows(c, foreignTargets);
            all.addAll(foreignTargets);
        }
        Map<String, Row> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(lockRows)) {
            ps.setString(1, hub);
            ps.setArray(2, Db.textArray(c, all.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), new Row(rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getBoolean(5)));
                }
            }
        }

        List<CommitResult> results = new ArrayList<>(checkpoints.size());
        List<Checkpoint> accepted = new ArrayList<>();
        for (Checkpoint cp : checkpoints) {
            String id = cp.workItem().instanceId();
            Row row = rows.get(id);
            if (row == null || !row.leaseLive() || !Objects.equals(row.lockToken(), cp.workItem().lockToken())) {
                results.add(new CommitResult.Refused(new LeaseLostException(id, "The lock on instance '" + id
                        + "' is no longer held (its lease expired, possibly taken over by another worker, or the instance was "
                        + "purged or replaced); the checkpoint was not applied.")));
            } else if (row.historyVersion() != cp.workItem().historyVersion()) {
                results.add(new CommitResult.Refused(new LeaseLostException(id, "The history of instance '" + id
                        + "' changed since it was locked (version " + cp.workItem().historyVersion() + ", now "
                        + row.historyVersion() + "); the checkpoint was not applied.")));
            } else {
                results.add(CommitResult.COMMITTED);
                accepted.add(cp);
            }
        }
        if (accepted.isEmpty()) {
            return results;
        }

        // history
        List<Object> replaceIds = new ArrayList<>();
        List<Object> hIid = new ArrayList<>();
        List<Object> hSeq = new ArrayList<>();
        List<Object> hEv = new ArrayList<>();
        Map<String, int[]> newCounts = new HashMap<>();
        for (Checkpoint cp : accepted) {
            String id = cp.workItem().instanceId();
            int base = cp.replaceHistory() ? 0 : rows.get(id).historyCount();
            if (cp.replaceHistory()) {
                replaceIds.add(id);
            }
            int seq = base;
            for (HistoryEvent e : cp.newEvents()) {
                hIid.add(id);
                hSeq.add(seq++);
                hEv.add(Codec.eventJson(e));
            }
            newCounts.put(id, new int[] {seq});
        }
        if (!replaceIds.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(deleteHistory)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, replaceIds.toArray()));
                ps.executeUpdate();
            }
        }
        if (!hIid.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(insertHistory)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, hIid.toArray()));
                ps.setArray(3, Db.intArray(c, hSeq.toArray()));
                ps.setArray(4, Db.textArray(c, hEv.toArray()));
                ps.executeUpdate();
            }
        }

        // consumed messages
        List<Object> cIid = new ArrayList<>();
        List<Object> cMid = new ArrayList<>();
        for (Checkpoint cp : accepted) {
            for (TaskMessage m : cp.workItem().messages()) {
                cIid.add(cp.workItem().instanceId());
                cMid.add(m.messageId());
            }
        }
        Map<String, Long> lowestConsumed = new HashMap<>();
        if (!cIid.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(deleteConsumed)) {
                ps.setArray(1, Db.textArray(c, cIid.toArray()));
                ps.setArray(2, Db.textArray(c, cMid.toArray()));
                ps.setString(3, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lowestConsumed.merge(rs.getString(1), rs.getLong(2), Math::min);
                    }
                }
            }
        }

        // outbound orchestration messages
        Set<String> acceptedIds = new HashSet<>();
        for (Checkpoint cp : accepted) {
            acceptedIds.add(cp.workItem().instanceId());
        }
        List<TaskMessage> outbound = new ArrayList<>();
        List<TaskMessage> toForeign = new ArrayList<>();
        for (Checkpoint cp : accepted) {
            for (TaskMessage m : cp.orchestrationMessages()) {
                outbound.add(m);
                if (!acceptedIds.contains(m.instanceId())) {
                    toForeign.add(m);
                }
            }
        }
        if (!outbound.isEmpty()) {
            enqueuer.insertMessages(c, outbound, selfMessageSeqs(c, outbound, lowestConsumed));
        }
        if (!toForeign.isEmpty()) {
            // rows are locked by this transaction (or are refused own rows held by someone else: left alone by the lock_token filter)
            enqueuer.updateHeads(c, toForeign);
        }

        // own instance rows: state, history version, release the lock, recompute the queue head
        int n = accepted.size();
        Object[] iid = new Object[n];
        Object[] hasState = new Object[n];
        Object[] name = new Object[n];
        Object[] version = new Object[n];
        Object[] eid = new Object[n];
        Object[] status = new Object[n];
        Object[] input = new Object[n];
        Object[] output = new Object[n];
        Object[] custom = new Object[n];
        Object[] failure = new Object[n];
        Object[] created = new Object[n];
        Object[] updated = new Object[n];
        Object[] scheduled = new Object[n];
        Object[] parent = new Object[n];
        Object[] hv = new Object[n];
        Object[] hc = new Object[n];
        List<Object> phantomCandidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Checkpoint cp = accepted.get(i);
            String id = cp.workItem().instanceId();
            InstanceState s = cp.state();
            iid[i] = id;
            hasState[i] = s != null;
            if (s != null) {
                name[i] = s.name();
                version[i] = s.version();
                eid[i] = s.executionId();
                status[i] = s.status().name();
                input[i] = s.input();
                output[i] = s.output();
                custom[i] = s.customStatus();
                failure[i] = Codec.failureJson(s.failureDetails());
                created[i] = Db.nanos(s.createdAt());
                updated[i] = Db.nanos(s.lastUpdatedAt());
                scheduled[i] = Db.nanos(s.scheduledStartAt());
                parent[i] = s.parentInstanceId();
            } else if (cp.workItem().instance() == null) {
                phantomCandidates.add(id);
            }
            hv[i] = cp.changesHistory() ? cp.workItem().historyVersion() + 1 : cp.workItem().historyVersion();
            hc[i] = newCounts.get(id)[0];
        }
        try (PreparedStatement ps = c.prepareStatement(updateOwn)) {
            ps.setArray(1, Db.textArray(c, iid));
            ps.setArray(2, Db.boolArray(c, hasState));
            ps.setArray(3, Db.textArray(c, name));
            ps.setArray(4, Db.textArray(c, version));
            ps.setArray(5, Db.textArray(c, eid));
            ps.setArray(6, Db.textArray(c, status));
            ps.setArray(7, Db.textArray(c, input));
            ps.setArray(8, Db.textArray(c, output));
            ps.setArray(9, Db.textArray(c, custom));
            ps.setArray(10, Db.textArray(c, failure));
            ps.setArray(11, Db.longArray(c, created));
            ps.setArray(12, Db.longArray(c, updated));
            ps.setArray(13, Db.longArray(c, scheduled));
            ps.setArray(14, Db.textArray(c, parent));
            ps.setArray(15, Db.longArray(c, hv));
            ps.setArray(16, Db.intArray(c, hc));
            ps.setString(17, hub);
            ps.executeUpdate();
        }

        // activities
        List<ActivityRequest> activities = new ArrayList<>();
        for (Checkpoint cp : accepted) {
            activities.addAll(cp.activityRequests());
        }
        if (!activities.isEmpty()) {
            int m = activities.size();
            Object[] mid = new Object[m];
            Object[] aIid = new Object[m];
            Object[] aEid = new Object[m];
            Object[] tid = new Object[m];
            Object[] aName = new Object[m];
            Object[] aInput = new Object[m];
            for (int i = 0; i < m; i++) {
                ActivityRequest r = activities.get(i);
                mid[i] = r.messageId();
                aIid[i] = r.instanceId();
                aEid[i] = r.executionId();
                tid[i] = r.taskId();
                aName[i] = r.name();
                aInput[i] = r.input();
            }
            try (PreparedStatement ps = c.prepareStatement(insertActivities)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, mid));
                ps.setArray(3, Db.textArray(c, aIid));
                ps.setArray(4, Db.textArray(c, aEid));
                ps.setArray(5, Db.intArray(c, tid));
                ps.setArray(6, Db.textArray(c, aName));
                ps.setArray(7, Db.textArray(c, aInput));
                ps.executeUpdate();
            }
        }

        if (!phantomCandidates.isEmpty()) {
            // a message for an instance that never existed was consumed: drop the empty placeholder row
            try (PreparedStatement ps = c.prepareStatement(deletePhantoms)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, phantomCandidates.toArray()));
                ps.executeUpdate();
            }
        }
        return results;
    }
}
