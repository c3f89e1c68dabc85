package dev.taskhub.examples.sqlite;

import dev.taskhub.FailureDetails;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.ExpiredInstances;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static dev.taskhub.examples.sqlite.Database.event;
import static dev.taskhub.examples.sqlite.Database.failure;
import static dev.taskhub.examples.sqlite.Database.instant;
import static dev.taskhub.examples.sqlite.Database.json;
import static dev.taskhub.examples.sqlite.Database.nanos;
import static dev.taskhub.examples.sqlite.Database.query;
import static dev.taskhub.examples.sqlite.Database.update;

/** The instance store and the history store of one hub: instance rows, keyset-paged queries, purge, history. */
final class Instances {
    private static final String COLUMNS = "instance_id, name, version, execution_id, status, input, output, custom_status, "
            + "failure_details, created_ns, updated_ns, scheduled_ns, parent_instance_id";

    /** An instance row: its state and the version of its history (bumped by every history write). */
    record Row(InstanceState state, long historyVersion) {}

    private final Database db;
    private final String hub;

    Instances(Database db, String hub) {
        this.db = db;
        this.hub = hub;
    }

    void create(InstanceState state, TaskMessage start, Set<RuntimeStatus> replaceable) {
        db.writeAndWake(c -> {
            insert(c, state, replaceable);
            Queues.enqueue(c, hub, start, Instant.now());
            return null;
        });
    }

    /** Writes an imported instance with its history and messages in one transaction; whether one was replaced. */
    boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceable) {
        return db.writeAndWake(c -> {
            Row replaced = insert(c, instance.state(), replaceable);
            long version = replaced == null ? 0 : replaced.historyVersion() + 1;
            writeHistory(c, hub, instance.instanceId(), instance.history(), false, version);
            Instant now = Instant.now();
            for (TaskMessage message : instance.orchestrationMessages()) {
                Queues.enqueue(c, hub, message, now);
            }
            for (ActivityRequest request : instance.activityRequests()) {
                Queues.enqueueActivity(c, hub, request, now);
            }
            return replaced != null;
        });
    }

    /**
     * Inserts the instance row, replacing an existing instance whose status is replaceable (with its history and
     * pending messages); returns the replaced row, or null.
     */
    private Row insert(Connection c, InstanceState state, Set<RuntimeStatus> replaceable) throws SQLException {
        Row existing = find(c, hub, state.instanceId());
        if (existing != null && !replaceable.contains(existing.state().status())) {
            throw new InstanceAlreadyExistsException(state.instanceId(), existing.state().status());
        }
        if (existing != null) {
            delete(c, hub, "SELECT ?", state.instanceId());   // with its history and pending messages
        }
        // A replaced instance gets a new history version, so no worker mistakes the old history for the new one.
        long version = existing == null ? 0 : existing.historyVersion() + 1;
        update(c, "INSERT INTO instances (hub, " + COLUMNS + ", history_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + "?, ?, ?, ?)", Stream.concat(Stream.of(values(hub, state)), Stream.of(version)).toArray());
        return existing;
    }

    Optional<InstanceState> get(String instanceId) {
        return Optional.ofNullable(db.read(c -> find(c, hub, instanceId))).map(Row::state);
    }

    List<HistoryEvent> history(String instanceId) {
        return db.read(c -> query(c, "SELECT event FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq",
                r -> event(r.getString(1)), hub, instanceId));
    }

    /** One page in (createdAt, instanceId) order, starting after the token's position: never by offset. */
    InstancePage page(InstanceQuery q) {
        ContinuationTokens.Position after = q.continuationToken() == null ? null : ContinuationTokens.decode(q.continuationToken());
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM instances WHERE hub = ?");
        List<Object> args = new ArrayList<>(List.of(hub));
        if (q.createdFrom() != null) {
            sql.append(" AND created_ns >= ?");
            args.add(nanos(q.createdFrom()));
        }
        if (q.createdTo() != null) {
            sql.append(" AND created_ns <= ?");
            args.add(nanos(q.createdTo()));
        }
        if (!q.statuses().isEmpty()) {
            sql.append(" AND status IN (").append(String.join(", ", Collections.nCopies(q.statuses().size(), "?"))).append(")");
            q.statuses().forEach(s -> args.add(s.name()));
        }
        if (q.instanceIdPrefix() != null) {
            sql.append(" AND substr(instance_id, 1, length(?)) = ?");
            args.addAll(List.of(q.instanceIdPrefix(), q.instanceIdPrefix()));
        }
        if (after != null) {
            sql.append(" AND (created_ns > ? OR (created_ns = ? AND instance_id > ?))");
            args.addAll(List.of(nanos(after.createdAt()), nanos(after.createdAt()), after.instanceId()));
        }
        sql.append(" ORDER BY created_ns, instance_id LIMIT ?");
        args.add(q.pageSize() + 1);   // one more than the page tells whether there is a next page
        List<InstanceState> rows = db.read(c -> query(c, sql.toString(), r -> state(r, q.fetchInputsAndOutputs()), args.toArray()));
        if (rows.size() <= q.pageSize()) {
            return new InstancePage(rows, null);
        }
        InstanceState last = rows.get(q.pageSize() - 1);
        return new InstancePage(rows.subList(0, q.pageSize()), ContinuationTokens.encode(last.createdAt(), last.instanceId()));
    }

    boolean purge(String instanceId) {
        return db.write(c -> {
            Row row = find(c, hub, instanceId);
            return row != null && row.state().status().isTerminal() && delete(c, hub, "SELECT ?", instanceId) == 1;
        });
    }

    long purge(PurgeCriteria criteria) {
        String matching = "SELECT instance_id FROM instances WHERE hub = ? AND created_ns >= ? AND created_ns <= ? AND status IN ("
                + String.join(", ", Collections.nCopies(criteria.statuses().size(), "?")) + ")";
        List<Object> args = new ArrayList<>(List.of(hub, nanos(criteria.createdFrom()),
                criteria.createdTo() == null ? Long.MAX_VALUE : nanos(criteria.createdTo())));
        criteria.statuses().forEach(s -> args.add(s.name()));
        return db.write(c -> delete(c, hub, matching, args.toArray()));
    }

    /** Retention's bounded purge: the oldest matches by the (hub, status, updated_ns) index, at most the limit. */
    int purgeExpired(ExpiredInstances expired) {
        StringBuilder matching = new StringBuilder("SELECT instance_id FROM instances WHERE hub = ? AND status = ? AND updated_ns < ?");
        List<Object> args = new ArrayList<>(List.of(hub, expired.status().name(), nanos(expired.finishedBefore())));
        if (expired.orchestrationName() != null) {
            matching.append(" AND name = ?");
            args.add(expired.orchestrationName());
        } else if (!expired.exceptNames().isEmpty()) {
            matching.append(" AND name NOT IN (").append(String.join(", ", Collections.nCopies(expired.exceptNames().size(), "?"))).append(")");
            args.addAll(expired.exceptNames());
        }
        matching.append(" ORDER BY updated_ns, instance_id LIMIT ?");
        args.add(expired.limit());
        return db.write(c -> delete(c, hub, matching.toString(), args.toArray()));
    }

    // ---- used inside other stores' transactions ----------------------------------------------------------------------

    static Row find(Connection c, String hub, String instanceId) throws SQLException {
        List<Row> rows = query(c, "SELECT " + COLUMNS + ", history_version FROM instances WHERE hub = ? AND instance_id = ?",
                r -> new Row(state(r, true), r.getLong("history_version")), hub, instanceId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Inserts or updates the instance row, keeping its history version. */
    static void save(Connection c, String hub, InstanceState state) throws SQLException {
        update(c, "INSERT INTO instances (hub, " + COLUMNS + ", history_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
                + "ON CONFLICT (hub, instance_id) DO UPDATE SET name = excluded.name, version = excluded.version, "
                + "execution_id = excluded.execution_id, status = excluded.status, input = excluded.input, output = excluded.output, "
                + "custom_status = excluded.custom_status, failure_details = excluded.failure_details, created_ns = excluded.created_ns, "
                + "updated_ns = excluded.updated_ns, scheduled_ns = excluded.scheduled_ns, "
                + "parent_instance_id = excluded.parent_instance_id", values(hub, state));
    }

    /** Appends events to the history (or replaces it by them) and sets the new history version. */
    static void writeHistory(Connection c, String hub, String instanceId, List<HistoryEvent> events, boolean replace,
                             long newVersion) throws SQLException {
        if (replace) {
            update(c, "DELETE FROM history WHERE hub = ? AND instance_id = ?", hub, instanceId);
        }
        long next = query(c, "SELECT COALESCE(MAX(seq) + 1, 0) FROM history WHERE hub = ? AND instance_id = ?",
                r -> r.getLong(1), hub, instanceId).get(0);
        for (HistoryEvent event : events) {
            update(c, "INSERT INTO history (hub, instance_id, seq, event) VALUES (?, ?, ?, ?)", hub, instanceId, next++, json(event));
        }
        update(c, "UPDATE instances SET history_version = ? WHERE hub = ? AND instance_id = ?", newVersion, hub, instanceId);
    }

    /** Deletes the instances {@code idsSql} selects with everything they own; returns how many instances it deleted. */
    private static int delete(Connection c, String hub, String idsSql, Object... args) throws SQLException {
        Object[] hubThenArgs = Stream.concat(Stream.of(hub), Stream.of(args)).toArray();
        for (String table : Database.TABLES.subList(1, Database.TABLES.size())) {   // the instances table last
            update(c, "DELETE FROM " + table + " WHERE hub = ? AND instance_id IN (" + idsSql + ")", hubThenArgs);
        }
        return update(c, "DELETE FROM instances WHERE hub = ? AND instance_id IN (" + idsSql + ")", hubThenArgs);
    }

    private static Object[] values(String hub, InstanceState s) {
        return new Object[] {hub, s.instanceId(), s.name(), s.version(), s.executionId(), s.status().name(), s.input(),
                s.output(), s.customStatus(), json(s.failureDetails()), nanos(s.createdAt()), nanos(s.lastUpdatedAt()),
                nanos(s.scheduledStartAt()), s.parentInstanceId()};
    }

    private static InstanceState state(ResultSet r, boolean withPayloads) throws SQLException {
        return InstanceState.builder().instanceId(r.getString("instance_id")).name(r.getString("name"))
                .version(r.getString("version")).executionId(r.getString("execution_id"))
                .status(RuntimeStatus.valueOf(r.getString("status"))).input(withPayloads ? r.getString("input") : null)
                .output(withPayloads ? r.getString("output") : null).customStatus(r.getString("custom_status"))
                .failureDetails(failure(r.getString("failure_details"))).createdAt(instant(r, "created_ns"))
                .lastUpdatedAt(instant(r, "updated_ns")).scheduledStartAt(instant(r, "scheduled_ns"))
                .parentInstanceId(r.getString("parent_instance_id")).build();
    }
}
