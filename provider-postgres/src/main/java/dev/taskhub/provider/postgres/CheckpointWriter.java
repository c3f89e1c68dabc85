package dev.taskhub.provider.postgres;

import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
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
    private final QueueStore queues;
    private final String lockRows;
    private final String deleteHistory;
    private final String insertHistory;
    private final String deleteConsumed;
    private final String updateOwn;
    private final String deletePhantoms;
    private final String seqGaps;

    CheckpointWriter(Db db, Enqueuer enqueuer, QueueStore queues) {
        this.db = db;
        this.queues = queues;
        this.hub = db.settings().taskHub();
        this.enqueuer = enqueuer;
        this.lockRows = db.sql("SELECT instance_id, lock_token, history_version, history_count, locked_until > now() FROM {s}instances "
                + "WHERE hub = ? AND instance_id = ANY(?) ORDER BY instance_id FOR UPDATE");
        this.deleteHistory = db.sql("DELETE FROM {s}history WHERE hub = ? AND instance_id = ANY(?)");
        this.insertHistory = db.sql("INSERT INTO {s}history (hub, instance_id, seq, event) "
                + "SELECT ?, u.iid, u.seq, u.ev FROM unnest(?::text[], ?::int4[], ?::text[]) AS u(iid, seq, ev)");
        this.deleteConsumed = db.sql("DELETE FROM {s}orchestration_messages m USING unnest(?::text[], ?::text[]) AS u(iid, mid) "
                + "WHERE m.hub = ? AND m.instance_id = u.iid COLLATE \"C\" AND m.message_id = u.mid");
        this.seqGaps = db.sql("WITH c AS (SELECT * FROM unnest(?::text[], ?::text[]) AS c(iid, mid)), "
                + "x AS (SELECT m.instance_id AS iid, min(m.seq) AS lo FROM {s}orchestration_messages m "
                + "JOIN c ON m.instance_id = c.iid COLLATE \"C\" AND m.message_id = c.mid WHERE m.hub = ? GROUP BY m.instance_id) "
                + "SELECT x.iid, x.lo, coalesce((SELECT max(m2.seq) FROM {s}orchestration_messages m2 WHERE m2.hub = ? "
                + "AND m2.instance_id = x.iid AND m2.seq < x.lo), 0) FROM x");
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
                + "WHERE i.hub = ? AND i.instance_id = u.iid COLLATE \"C\"");
        this.deletePhantoms = db.sql("DELETE FROM {s}instances WHERE hub = ? AND instance_id = ANY(?) AND status IS NULL "
                + "AND visible_at IS NULL AND lock_token IS NULL AND history_count = 0");
    }

    /** The statement that row-locks a batch's instances by id (tests check its query plan). */
    String lockRowsSql() {
        return lockRows;
    }

    /**
     * Commits the batch and locks up to {@code lockMax} more instances in the same transaction (none when 0); returns
     * one result per checkpoint, in order, and the instances locked.
     */
    CommittedBatch<OrchestrationWorkItem> commit(List<Checkpoint> checkpoints, int lockMax, Duration lease) {
        if (checkpoints.isEmpty()) {
            return CommittedBatch.committedOnly(List.of());
        }
        Set<String> ids = new HashSet<>();
        for (Checkpoint cp : checkpoints) {
            if (!ids.add(cp.workItem().instanceId())) {
                // the same instance twice in one batch: apply them one after the other (the second is then refused)
                List<CommitResult> out = new ArrayList<>();
                for (Checkpoint one : checkpoints) {
                    out.addAll(commit(List.of(one), 0, lease).results());
                }
                return CommittedBatch.committedOnly(out);
            }
        }
        return db.inTransaction("commit checkpoints", c -> commitInTransaction(c, checkpoints, lockMax, lease));
    }

    private record Row(String lockToken, long historyVersion, int historyCount, boolean leaseLive) {}

    /**
     * Two round trips whatever the batch size: (1) create missing target rows, row-lock every row the batch touches
     * in one sorted pass and read where self-addressed messages may go; (2) all writes, the lock of the next batch (when
     * asked for) and the COMMIT as one pipeline (the connection's own commit then has nothing left to do). A failing
     * write skips the rest of the pipeline, COMMIT included, and the caller rolls back.
     */
    private CommittedBatch<OrchestrationWorkItem> commitInTransaction(Connection c, List<Checkpoint> checkpoints, int lockMax,
                                                                      Duration lease) throws SQLException {
        Set<String> own = new HashSet<>();
        TreeSet<String> all = new TreeSet<>();
        TreeSet<String> foreignTargets = new TreeSet<>();
        Map<String, Integer> selfCounts = new HashMap<>();
        for (Checkpoint cp : checkpoints) {
            own.add(cp.workItem().instanceId());
            all.add(cp.workItem().instanceId());
        }
        List<Object> gapIids = new ArrayList<>();
        List<Object> gapMids = new ArrayList<>();
        for (Checkpoint cp : checkpoints) {
            String id = cp.workItem().instanceId();
            for (TaskMessage m : cp.orchestrationMessages()) {
                if (!own.contains(m.instanceId())) {
                    foreignTargets.add(m.instanceId());
                } else if (m.instanceId().equals(id)) {
                    selfCounts.merge(id, 1, Integer::sum);
                }
            }
            if (selfCounts.containsKey(id)) {
                for (TaskMessage m : cp.workItem().messages()) {
                    gapIids.add(id);
                    gapMids.add(m.messageId());
                }
            }
        }
        all.addAll(foreignTargets);

        Map<String, Row> rows = new HashMap<>();
        Map<String, long[]> gaps = new HashMap<>();
        Pipeline first = new Pipeline();
        if (!foreignTargets.isEmpty()) {
            first.add(enqueuer.ensureRowsSql(), enqueuer.ensureRows(foreignTargets));
        }
        first.query(lockRows, (ps, i) -> {
            ps.setString(i++, hub);
            ps.setArray(i++, Db.textArray(c, all.toArray()));
            return i;
        }, rs -> {
            while (rs.next()) {
                rows.put(rs.getString(1), new Row(rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getBoolean(5)));
            }
        });
        if (!gapIids.isEmpty()) {
            first.query(seqGaps, (ps, i) -> {
                ps.setArray(i++, Db.textArray(c, gapIids.toArray()));
                ps.setArray(i++, Db.textArray(c, gapMids.toArray()));
                ps.setString(i++, hub);
                ps.setString(i++, hub);
                return i;
            }, rs -> {
                while (rs.next()) {
                    long low = rs.getLong(2);
                    if (!rs.wasNull()) {
                        gaps.put(rs.getString(1), new long[] {low, rs.getLong(3)});
                    }
                }
            });
        }
        first.execute(c);

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
        if (accepted.isEmpty() && lockMax == 0) {
            return CommittedBatch.committedOnly(results);
        }
        Pipeline second = accepted.isEmpty() ? new Pipeline() : writes(c, accepted, rows, gaps, selfCounts);
        QueueStore.LockedInstances next = lockMax > 0 ? queues.lockOrchestrationsIn(second, lockMax, lease) : null;
        second.add("COMMIT", (ps, i) -> i).execute(c);
        if (next == null) {
            return CommittedBatch.committedOnly(results);
        }
        if (!next.empty.isEmpty()) {
            queues.releaseEmpty(c, next);   // rare; in a transaction of its own, after the COMMIT above
        }
        return new CommittedBatch<>(results, next.items);
    }

    private Pipeline writes(Connection c, List<Checkpoint> accepted, Map<String, Row> rows, Map<String, long[]> gaps,
                            Map<String, Integer> selfCounts) {
        Pipeline p = new Pipeline();

        // history
        List<Object> replaceIds = new ArrayList<>();
        List<Object> hIid = new ArrayList<>();
        List<Object> hSeq = new ArrayList<>();
        List<Object> hEv = new ArrayList<>();
        Map<String, Integer> newCounts = new HashMap<>();
        for (Checkpoint cp : accepted) {
            String id = cp.workItem().instanceId();
            int seq = cp.replaceHistory() ? 0 : rows.get(id).historyCount();
            if (cp.replaceHistory()) {
                replaceIds.add(id);
            }
            for (HistoryEvent e : cp.newEvents()) {
                hIid.add(id);
                hSeq.add(seq++);
                hEv.add(Codec.eventJson(e));
            }
            newCounts.put(id, seq);
        }
        if (!replaceIds.isEmpty()) {
            p.add(deleteHistory, (ps, i) -> {
                ps.setString(i++, hub);
                ps.setArray(i++, Db.textArray(c, replaceIds.toArray()));
                return i;
            });
        }
        if (!hIid.isEmpty()) {
            p.add(insertHistory, (ps, i) -> {
                ps.setString(i++, hub);
                ps.setArray(i++, Db.textArray(c, hIid.toArray()));
                ps.setArray(i++, Db.intArray(c, hSeq.toArray()));
                ps.setArray(i++, Db.textArray(c, hEv.toArray()));
                return i;
            });
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
        if (!cIid.isEmpty()) {
            p.add(deleteConsumed, (ps, i) -> {
                ps.setArray(i++, Db.textArray(c, cIid.toArray()));
                ps.setArray(i++, Db.textArray(c, cMid.toArray()));
                ps.setString(i++, hub);
                return i;
            });
        }

        // outbound orchestration messages; messages to an instance of this batch that was accepted need no head
        // update (its row is recomputed below), the others move their target's head forward unless it is leased
        Set<String> acceptedIds = new HashSet<>();
        for (Checkpoint cp : accepted) {
            acceptedIds.add(cp.workItem().instanceId());
        }
        List<TaskMessage> outbound = new ArrayList<>();
        List<TaskMessage> toOthers = new ArrayList<>();
        for (Checkpoint cp : accepted) {
            for (TaskMessage m : cp.orchestrationMessages()) {
                outbound.add(m);
                if (!acceptedIds.contains(m.instanceId())) {
                    toOthers.add(m);
                }
            }
        }
        if (!outbound.isEmpty()) {
            p.add(enqueuer.insertMessagesSql(), enqueuer.insertMessages(outbound, selfMessageSeqs(accepted, outbound, gaps, selfCounts)));
        }
        if (!toOthers.isEmpty()) {
            p.add(enqueuer.updateHeadsSql(), enqueuer.updateHeads(toOthers));
        }

        // own rows: state, history version, release the lock, recompute the queue head
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
            hc[i] = newCounts.get(id);
        }
        p.add(updateOwn, (ps, i) -> {
            for (Object[] texts : new Object[][] {iid}) {
                ps.setArray(i++, Db.textArray(c, texts));
            }
            ps.setArray(i++, Db.boolArray(c, hasState));
            for (Object[] texts : new Object[][] {name, version, eid, status, input, output, custom, failure}) {
                ps.setArray(i++, Db.textArray(c, texts));
            }
            ps.setArray(i++, Db.longArray(c, created));
            ps.setArray(i++, Db.longArray(c, updated));
            ps.setArray(i++, Db.longArray(c, scheduled));
            ps.setArray(i++, Db.textArray(c, parent));
            ps.setArray(i++, Db.longArray(c, hv));
            ps.setArray(i++, Db.intArray(c, hc));
            ps.setString(i++, hub);
            return i;
        });

        // activities
        List<ActivityRequest> activities = new ArrayList<>();
        for (Checkpoint cp : accepted) {
            activities.addAll(cp.activityRequests());
        }
        if (!activities.isEmpty()) {
            p.add(enqueuer.insertActivitiesSql(), enqueuer.insertActivities(activities));
        }

        if (!phantomCandidates.isEmpty()) {
            // a message for an instance that never existed was consumed: drop the empty placeholder row
            p.add(deletePhantoms, (ps, i) -> {
                ps.setString(i++, hub);
                ps.setArray(i++, Db.textArray(c, phantomCandidates.toArray()));
                return i;
            });
        }
        return p;
    }

    /**
     * Sequence numbers for messages a checkpoint sends to its own instance (continue-as-new's ExecutionStarted and
     * carried-over events, timers): they take the place of the messages the checkpoint consumed, just below the lowest
     * of them, so they stay ahead of messages that arrived while the episode ran (otherwise an event raised during a
     * continue-as-new episode would overtake the events carried over from before it). Sequence numbers only need to be
     * unique per instance; when the gap below is too small a message simply gets the next global number.
     */
    private static Object[] selfMessageSeqs(List<Checkpoint> accepted, List<TaskMessage> outbound, Map<String, long[]> gaps,
                                            Map<String, Integer> selfCounts) {
        Object[] seqs = new Object[outbound.size()];
        int index = 0;
        for (Checkpoint cp : accepted) {
            String id = cp.workItem().instanceId();
            long[] gap = gaps.get(id);
            int count = selfCounts.getOrDefault(id, 0);
            boolean fits = gap != null && gap[0] - gap[1] - 1 >= count;
            long next = fits ? gap[0] - count : 0;
            for (TaskMessage m : cp.orchestrationMessages()) {
                if (fits && m.instanceId().equals(id)) {
                    seqs[index] = next++;
                }
                index++;
            }
        }
        return seqs;
    }
}
