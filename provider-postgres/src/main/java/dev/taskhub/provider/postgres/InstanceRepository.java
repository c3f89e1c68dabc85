package dev.taskhub.provider.postgres;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.ExpiredInstances;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.TaskMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Instance rows: create (with the id-reuse policy), read, keyset-paged queries, purge. Thread-safe. */
final class InstanceRepository {
    private static final String TERMINAL = "('COMPLETED','FAILED','TERMINATED')";

    private final Db db;
    private final String hub;
    private final Enqueuer enqueuer;
    private final String insertNew;
    private final String selectForUpdate;
    private final String replaceRow;
    private final String fillPhantom;
    private final String deleteHistory;
    private final String deleteMessages;
    private final String getInstance;
    private final String purgeOne;
    private final String purgeSelect;
    private final String purgeLockIds;
    private final String[] purgeDeletes;
    private final String probePrefix;
    private final String expiredByName;
    private final String expiredExcept;

    InstanceRepository(Db db, Enqueuer enqueuer) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.enqueuer = enqueuer;
        String cols = "hub, instance_id, name, version, execution_id, status, input, output, custom_status, failure_details, "
                + "created_ns, updated_ns, scheduled_ns, parent_instance_id";
        this.insertNew = db.sql("WITH ins AS (INSERT INTO {s}instances (" + cols + ", visible_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?::timestamptz, now())) "
                + "ON CONFLICT (hub, instance_id) DO NOTHING RETURNING hub, instance_id) "
                + "INSERT INTO {s}orchestration_messages (hub, instance_id, message_id, execution_id, event, visible_at) "
                + "SELECT hub, instance_id, ?, ?, ?, coalesce(?::timestamptz, now()) FROM ins");
        this.selectForUpdate = db.sql("SELECT status FROM {s}instances WHERE hub = ? AND instance_id = ? FOR UPDATE");
        String set = "name = ?, version = ?, execution_id = ?, status = ?, input = ?, output = ?, custom_status = ?, "
                + "failure_details = ?, created_ns = ?, updated_ns = ?, scheduled_ns = ?, parent_instance_id = ?";
        this.replaceRow = db.sql("UPDATE {s}instances SET " + set + ", history_version = history_version + 1, history_count = 0, "
                + "lock_token = NULL, locked_until = NULL, delivery_count = 0, visible_at = coalesce(?::timestamptz, now()) "
                + "WHERE hub = ? AND instance_id = ?");
        this.fillPhantom = db.sql("UPDATE {s}instances SET " + set + ", visible_at = CASE WHEN lock_token IS NULL "
                + "THEN LEAST(visible_at, coalesce(?::timestamptz, now())) ELSE visible_at END WHERE hub = ? AND instance_id = ?");
        this.deleteHistory = db.sql("DELETE FROM {s}history WHERE hub = ? AND instance_id = ?");
        this.deleteMessages = db.sql("DELETE FROM {s}orchestration_messages WHERE hub = ? AND instance_id = ?");
        this.getInstance = db.sql("SELECT " + Codec.STATE_COLUMNS + ", " + Codec.PAYLOAD_COLUMNS
                + " FROM {s}instances WHERE hub = ? AND instance_id = ? AND status IS NOT NULL");
        // v holds at most one id; comparing with it as a scalar keeps every delete an index lookup whatever the
        // statistics say (a join could be planned as a scan of the whole hub)
        String cascade = "h AS (DELETE FROM {s}history WHERE hub = ? AND instance_id = (SELECT instance_id FROM v)), "
                + "m AS (DELETE FROM {s}orchestration_messages WHERE hub = ? AND instance_id = (SELECT instance_id FROM v)), "
                + "a AS (DELETE FROM {s}activity_messages WHERE hub = ? AND instance_id = (SELECT instance_id FROM v)), "
                + "q AS (DELETE FROM {s}quarantine WHERE hub = ? AND instance_id = (SELECT instance_id FROM v)) "
                + "DELETE FROM {s}instances WHERE hub = ? AND instance_id = (SELECT instance_id FROM v)";
        this.probePrefix = db.sql("SELECT count(*) FROM (SELECT 1 FROM {s}instances WHERE hub = ? AND instance_id LIKE ? LIMIT ?) p");
        this.purgeOne = db.sql("WITH v AS (SELECT instance_id FROM {s}instances WHERE hub = ? AND instance_id = ? AND status IN "
                + TERMINAL + " FOR UPDATE), " + cascade);
        // walks the created-order index from where the previous batch stopped, so dead rows are never rescanned
        this.purgeSelect = db.sql("SELECT created_ns, instance_id FROM {s}instances WHERE hub = ? AND status = ANY(?) "
                + "AND created_ns >= ? AND created_ns <= ? AND (created_ns, instance_id) > (?, ?) "
                + "ORDER BY created_ns, instance_id LIMIT ? FOR UPDATE SKIP LOCKED");
        // retention: the oldest finished instances of one status, by the partial index instances_finished (V5); the
        // literal status list lets the planner use that index in a generic plan too
        String expired = "SELECT instance_id FROM {s}instances WHERE hub = ? AND status IN " + TERMINAL
                + " AND status = ? AND updated_ns < ? AND ";
        String expiredTail = " ORDER BY updated_ns LIMIT ? FOR UPDATE SKIP LOCKED";
        this.expiredByName = db.sql(expired + "name = ?" + expiredTail);
        this.expiredExcept = db.sql(expired + "name <> ALL(?)" + expiredTail);
        this.purgeLockIds = db.sql("SELECT instance_id FROM {s}instances WHERE hub = ? AND instance_id = ANY(?) AND status IN "
                + TERMINAL + " ORDER BY instance_id FOR UPDATE");
        this.purgeDeletes = new String[] {
                db.sql("DELETE FROM {s}history WHERE hub = ? AND instance_id = ANY(?)"),
                db.sql("DELETE FROM {s}orchestration_messages WHERE hub = ? AND instance_id = ANY(?)"),
                db.sql("DELETE FROM {s}activity_messages WHERE hub = ? AND instance_id = ANY(?)"),
                db.sql("DELETE FROM {s}quarantine WHERE hub = ? AND instance_id = ANY(?)"),
                db.sql("DELETE FROM {s}instances WHERE hub = ? AND instance_id = ANY(?)")};
    }

    /** The statements that select a retention batch (one name; every name but some), for tests that check their plans. */
    List<String> expiredStatements() {
        return List.of(expiredByName, expiredExcept);
    }

    /** The statements purge runs (one instance, then each batch's deletes), for tests that check their query plans. */
    List<String> purgeStatements() {
        List<String> all = new ArrayList<>();
        all.add(purgeOne);
        all.addAll(List.of(purgeDeletes));
        return all;
    }

    void create(InstanceState state, TaskMessage start, Set<RuntimeStatus> replaceable) {
        int inserted = db.autoCommit("create instance", c -> insertNew(c, state, start));
        if (inserted == 1) {
            return;
        }
        db.inTransaction("create instance", c -> {
            while (true) {
                String status;
                boolean exists;
                try (PreparedStatement ps = c.prepareStatement(selectForUpdate)) {
                    ps.setString(1, hub);
                    ps.setString(2, state.instanceId());
                    try (ResultSet rs = ps.executeQuery()) {
                        exists = rs.next();
                        status = exists ? rs.getString(1) : null;
                    }
                }
                if (!exists) {
                    if (insertNew(c, state, start) == 1) {
                        return null;
                    }
                    continue; // inserted concurrently: look again
                }
                if (status != null) {
                    RuntimeStatus existing = RuntimeStatus.valueOf(status);
                    if (replaceable == null || !replaceable.contains(existing)) {
                        throw new InstanceAlreadyExistsException(state.instanceId(), existing);
                    }
                    for (String sql : new String[] {deleteHistory, deleteMessages}) {
                        try (PreparedStatement ps = c.prepareStatement(sql)) {
                            ps.setString(1, hub);
                            ps.setString(2, state.instanceId());
                            ps.executeUpdate();
                        }
                    }
                    update(c, replaceRow, state, start);
                } else {
                    // a placeholder row: messages (e.g. events) arrived before the instance was created; keep them
                    update(c, fillPhantom, state, start);
                }
                enqueuer.insertMessages(c, List.of(start));
                return null;
            }
        });
    }

    private int insertNew(Connection c, InstanceState s, TaskMessage start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertNew)) {
            ps.setString(1, hub);
            ps.setString(2, s.instanceId());
            int i = setState(ps, 3, s);
            Db.setInstant(ps, i++, start.visibleAt());
            ps.setString(i++, start.messageId());
            ps.setString(i++, start.executionId());
            ps.setString(i++, Codec.eventJson(start.event()));
            Db.setInstant(ps, i, start.visibleAt());
            return ps.executeUpdate();
        }
    }

    private void update(Connection c, String sql, InstanceState s, TaskMessage start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = setState(ps, 1, s);
            Db.setInstant(ps, i++, start.visibleAt());
            ps.setString(i++, hub);
            ps.setString(i, s.instanceId());
            ps.executeUpdate();
        }
    }

    /** Binds name .. parent_instance_id starting at {@code i}; returns the next index. */
    static int setState(PreparedStatement ps, int i, InstanceState s) throws SQLException {
        ps.setString(i++, s.name());
        ps.setString(i++, s.version());
        ps.setString(i++, s.executionId());
        ps.setString(i++, s.status().name());
        ps.setString(i++, s.input());
        ps.setString(i++, s.output());
        ps.setString(i++, s.customStatus());
        ps.setString(i++, Codec.failureJson(s.failureDetails()));
        Db.setNanos(ps, i++, s.createdAt());
        Db.setNanos(ps, i++, s.lastUpdatedAt());
        Db.setNanos(ps, i++, s.scheduledStartAt());
        ps.setString(i++, s.parentInstanceId());
        return i;
    }

    Optional<InstanceState> get(String instanceId) {
        return db.autoCommit("read instance", c -> {
            try (PreparedStatement ps = c.prepareStatement(getInstance)) {
                ps.setString(1, hub);
                ps.setString(2, instanceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(Codec.state(rs, true)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Keyset paging on (created_ns, instance_id). With several statuses the query is a UNION ALL of one ordered,
     * limited branch per status, which PostgreSQL merges from the (hub, status, created_ns, instance_id) index
     * instead of sorting every match.
     */
    InstancePage query(InstanceQuery q) {
        ContinuationTokens.Position after = q.continuationToken() == null ? null : ContinuationTokens.decode(q.continuationToken());
        String columns = Codec.STATE_COLUMNS + (q.fetchInputsAndOutputs() ? ", " + Codec.PAYLOAD_COLUMNS : "");
        int limit = q.pageSize() + 1;
        List<Object> params = new ArrayList<>();
        StringBuilder where = filters(q, params);
        if (after != null) {
            where.append(" AND (created_ns, instance_id) > (?, ?)");
            params.add(Db.nanos(after.createdAt()));
            params.add(after.instanceId());
        }
        List<RuntimeStatus> statuses = new ArrayList<>(q.statuses());
        statuses.sort(null);
        StringBuilder sql = new StringBuilder();
        List<Object> all = new ArrayList<>();
        if (statuses.isEmpty()) {
            sql.append("SELECT ").append(columns).append(" FROM {s}instances WHERE ").append(where)
                    .append(" ORDER BY created_ns, instance_id LIMIT ").append(limit);
            all.addAll(params);
        } else if (statuses.size() == 1) {
            sql.append("SELECT ").append(columns).append(" FROM {s}instances WHERE ").append(where)
                    .append(" AND status = ? ORDER BY created_ns, instance_id LIMIT ").append(limit);
            all.addAll(params);
            all.add(statuses.get(0).name());
        } else {
            sql.append("SELECT * FROM (");
            for (int i = 0; i < statuses.size(); i++) {
                if (i > 0) {
                    sql.append(" UNION ALL ");
                }
                sql.append("(SELECT ").append(columns).append(" FROM {s}instances WHERE ").append(where)
                        .append(" AND status = ? ORDER BY created_ns, instance_id LIMIT ").append(limit).append(")");
                all.addAll(params);
                all.add(statuses.get(i).name());
            }
            sql.append(") p ORDER BY created_ns, instance_id LIMIT ").append(limit);
        }
        if (q.instanceIdPrefix() != null && statuses.size() <= 1) {
            // A narrow prefix is fastest through the primary key (range scan, then sort the few matches); a broad
            // one through the created-order index. A cheap bounded probe of the key range tells them apart.
            sql.insert(0, "/*prefix*/ ");
        }
        String text = db.sql(sql.toString());
        String prefixProbe = q.instanceIdPrefix() == null ? null : likePrefix(q.instanceIdPrefix());
        return db.autoCommit("query instances", c -> {
            String finalText = text;
            if (prefixProbe != null && text.startsWith("/*prefix*/") && narrowPrefix(c, prefixProbe)) {
                // materialise the matches (found through the primary key), then order them
                finalText = "WITH m AS MATERIALIZED (" + text.substring(0, text.lastIndexOf(" ORDER BY")) + ") "
                        + "SELECT * FROM m ORDER BY created_ns, instance_id LIMIT " + limit;
            }
            try (PreparedStatement ps = c.prepareStatement(finalText)) {
                bind(ps, all);
                List<InstanceState> page = new ArrayList<>();
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (page.size() == q.pageSize()) {
                            more = true;
                            break;
                        }
                        page.add(Codec.state(rs, q.fetchInputsAndOutputs()));
                    }
                }
                String token = null;
                if (more) {
                    InstanceState last = page.get(page.size() - 1);
                    token = ContinuationTokens.encode(last.createdAt(), last.instanceId());
                }
                return new InstancePage(page, token);
            }
        });
    }

    /**
     * Counts in place. Without a created range or id prefix, from the counts the triggers of migration V4 keep per
     * hub, name and status (a few rows, whatever the hub's size); otherwise one aggregate over the matching instances
     * (the status/created index for statuses and ranges, the key for a prefix).
     */
    InstanceCounts count(InstanceQuery q) {
        List<Object> params = new ArrayList<>();
        boolean kept = q.createdFrom() == null && q.createdTo() == null && q.instanceIdPrefix() == null;
        StringBuilder where;
        if (kept) {
            where = new StringBuilder("hub = ?");
            params.add(hub);
        } else {
            where = filters(q, params);
        }
        if (!q.statuses().isEmpty()) {
            where.append(" AND status = ANY(?)");
        }
        String text = db.sql(kept
                ? "SELECT name, status, sum(n) FROM {s}instance_counts WHERE " + where + " GROUP BY name, status HAVING sum(n) > 0"
                : "SELECT name, status, count(*) FROM {s}instances WHERE " + where + " GROUP BY name, status");
        return db.autoCommit("count instances", c -> {
            try (PreparedStatement ps = c.prepareStatement(text)) {
                bind(ps, params);
                if (!q.statuses().isEmpty()) {
                    ps.setArray(params.size() + 1, Db.textArray(c, q.statuses().stream().map(Enum::name).toArray()));
                }
                InstanceCounts.Tally tally = new InstanceCounts.Tally();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        tally.add(name == null || name.isEmpty() ? null : name, RuntimeStatus.valueOf(rs.getString(2)), rs.getLong(3));
                    }
                }
                return tally.build();
            }
        });
    }

    /** The hub, created range and id prefix of a query as a WHERE clause; adds their values to {@code params}. */
    private StringBuilder filters(InstanceQuery q, List<Object> params) {
        StringBuilder where = new StringBuilder("hub = ? AND status IS NOT NULL");
        params.add(hub);
        if (q.createdFrom() != null) {
            where.append(" AND created_ns >= ?");
            params.add(Db.nanos(q.createdFrom()));
        }
        if (q.createdTo() != null) {
            where.append(" AND created_ns <= ?");
            params.add(Db.nanos(q.createdTo()));
        }
        if (q.instanceIdPrefix() != null) {
            where.append(" AND instance_id LIKE ?");
            params.add(likePrefix(q.instanceIdPrefix()));
        }
        return where;
    }

    /** Binds text and epoch-nanosecond parameters from index 1 on. */
    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) instanceof Long n) {
                ps.setLong(i + 1, n);
            } else {
                ps.setString(i + 1, (String) params.get(i));
            }
        }
    }

    private static final int NARROW_PREFIX_ROWS = 20_000;

    private boolean narrowPrefix(Connection c, String like) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(probePrefix)) {
            ps.setString(1, hub);
            ps.setString(2, like);
            ps.setInt(3, NARROW_PREFIX_ROWS);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) < NARROW_PREFIX_ROWS;
            }
        }
    }

    private static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    boolean purge(String instanceId) {
        // one statement, but in a retried transaction: it locks the instance row and then its messages, the reverse of
        // a worker's checkpoint, so a concurrent checkpoint can make it the deadlock victim
        return db.inTransaction("purge instance", c -> {
            try (PreparedStatement ps = c.prepareStatement(purgeOne)) {
                ps.setString(1, hub);
                ps.setString(2, instanceId);
                bindCascade(ps, 3);
                return ps.executeUpdate() > 0;
            }
        });
    }

    long purge(PurgeCriteria criteria) {
        int batch = db.settings().purgeBatchSize();
        Object[] statuses = criteria.statuses().stream().map(Enum::name).toArray();
        long from = Db.nanos(criteria.createdFrom());
        long to = criteria.createdTo() == null ? Long.MAX_VALUE : Db.nanos(criteria.createdTo());
        long[] lastNs = {Long.MIN_VALUE};
        String[] lastId = {""};
        long total = 0;
        while (true) {
            int[] selected = {0};
            long deleted = db.inTransaction("purge instances", c -> {
                List<String> ids = new ArrayList<>(batch);
                try (PreparedStatement ps = c.prepareStatement(purgeSelect)) {
                    ps.setString(1, hub);
                    ps.setArray(2, Db.textArray(c, statuses));
                    ps.setLong(3, from);
                    ps.setLong(4, to);
                    ps.setLong(5, lastNs[0]);
                    ps.setString(6, lastId[0]);
                    ps.setInt(7, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            lastNs[0] = rs.getLong(1);
                            lastId[0] = rs.getString(2);
                            ids.add(lastId[0]);
                        }
                    }
                }
                selected[0] = ids.size();
                if (ids.isEmpty()) {
                    return 0L;
                }
                // set-based deletes by primary key (= ANY(array) keeps the planner on the indexes)
                deleteCascade(c, ids);
                return (long) ids.size();
            });
            total += deleted;
            if (selected[0] < batch) {
                return total;
            }
        }
    }

    /**
     * Retention's bounded purge: batches of at most {@code purgeBatchSize}, each one transaction that row-locks the
     * oldest expired instances ({@code SKIP LOCKED}: rows another pass or a purge holds are left to it) and deletes them
     * with their history and messages.
     */
    int purgeExpired(ExpiredInstances expired) {
        int purged = 0;
        while (purged < expired.limit()) {
            int batch = Math.min(expired.limit() - purged, db.settings().purgeBatchSize());
            int deleted = db.inTransaction("purge expired instances", c -> {
                List<String> ids = new ArrayList<>(batch);
                try (PreparedStatement ps = c.prepareStatement(expired.orchestrationName() != null ? expiredByName : expiredExcept)) {
                    ps.setString(1, hub);
                    ps.setString(2, expired.status().name());
                    ps.setLong(3, Db.nanos(expired.finishedBefore()));
                    if (expired.orchestrationName() != null) {
                        ps.setString(4, expired.orchestrationName());
                    } else {
                        ps.setArray(4, Db.textArray(c, expired.exceptNames().toArray()));
                    }
                    ps.setInt(5, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                if (!ids.isEmpty()) {
                    deleteCascade(c, ids);
                }
                return ids.size();
            });
            purged += deleted;
            if (deleted < batch) {
                break;
            }
        }
        return purged;
    }

    /** Purges those of the ids that are terminal, in one transaction; returns the ids purged. */
    Set<String> purge(List<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return Set.of();
        }
        return db.inTransaction("purge instances by id", c -> {
            Set<String> ids = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement(purgeLockIds)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, instanceIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            if (!ids.isEmpty()) {
                deleteCascade(c, ids);
            }
            return ids;
        });
    }

    private void deleteCascade(Connection c, Collection<String> ids) throws SQLException {
        Pipeline p = new Pipeline();
        for (String sql : purgeDeletes) {
            p.add(sql, (ps, i) -> {
                ps.setString(i++, hub);
                ps.setArray(i++, Db.textArray(c, ids.toArray()));
                return i;
            });
        }
        p.execute(c);
    }

    private void bindCascade(PreparedStatement ps, int i) throws SQLException {
        for (int k = 0; k < 5; k++) {
            ps.setString(i + k, hub);
        }
    }
}
