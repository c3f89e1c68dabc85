package dev.taskhub.provider.postgres;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The stuck-instance query: one statement that collects candidates with three index range scans (a UNION, so each arm
 * keeps its index) and judges them exactly, so its cost follows the number of candidates, not the hub's size:
 * <ul>
 *   <li>pending: {@code instances_status_created} (hub, status, created_ns) up to the cutoff;</li>
 *   <li>locked past the lease and overdue timers: {@code instances_due} (hub, visible_at) up to the cutoff — while an
 *       instance is locked its {@code visible_at} is the lease's end, otherwise its oldest message's due time, so both
 *       are "its next work has been due since before the cutoff"; an overdue timer then looks for a {@code TimerFired}
 *       message due before the cutoff by the message table's key;</li>
 *   <li>repeated failures: the partial index {@code instances_redelivered} (V6), which holds only instances whose messages
 *       were delivered more than once without a checkpoint.</li>
 * </ul>
 * Each candidate is then read by its key. Sees every reason. Thread-safe.
 */
final class StuckFinder {
    private static final String TIMER = "EXISTS (SELECT 1 FROM {s}orchestration_messages m WHERE m.hub = i.hub "
            + "AND m.instance_id = i.instance_id AND m.visible_at < ? AND m.event LIKE '{\"EventType\":\"TimerFired\"%')";

    private final Db db;
    private final String hub;
    private final String sql;

    StuckFinder(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        String pending = "(i.status = 'PENDING' AND i.created_ns < ? AND coalesce(i.scheduled_ns, i.created_ns) < ?)";
        String locked = "(i.visible_at < ? AND i.lock_token IS NOT NULL AND i.locked_until < ?)";
        String timer = "(i.visible_at < ? AND i.status = 'RUNNING' AND " + TIMER + ")";
        String repeated = "(i.delivery_count > 1 AND i.delivery_count >= ?)";
        // the candidates, each arm by its own index; the outer query judges them exactly
        String candidates = "WITH c AS (SELECT instance_id FROM {s}instances WHERE hub = ? AND status = 'PENDING' AND created_ns < ? "
                + "UNION SELECT instance_id FROM {s}instances WHERE hub = ? AND visible_at < ? "
                + "UNION SELECT instance_id FROM {s}instances WHERE hub = ? AND delivery_count > 1 AND delivery_count >= ?) ";
        this.sql = db.sql(candidates + "SELECT i.instance_id, i.name, i.status, i.created_ns, i.scheduled_ns, i.delivery_count, "
                + "i.locked_until, " + pending + " AS is_pending, " + locked + " AS is_locked, " + timer + " AS is_timer, "
                + repeated + " AS is_repeated, "
                + "(SELECT min(m.visible_at) FROM {s}orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id "
                + "AND m.visible_at <= ?) AS oldest_due "
                + "FROM c JOIN {s}instances i ON i.hub = ? AND i.instance_id = c.instance_id WHERE i.status IS NOT NULL AND ("
                + pending + " OR " + locked + " OR " + timer + " OR " + repeated + ") ORDER BY i.created_ns, i.instance_id LIMIT ?");
    }

    /** The statement (for tests that check its plan). */
    String sql() {
        return sql;
    }

    StuckInstances find(StuckQuery query, Instant now) {
        Instant cutoff = now.minus(query.threshold());
        List<StuckInstance> found = db.autoCommit("find stuck instances", c -> {
            List<StuckInstance> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, hub);
                ps.setLong(i++, Db.nanos(cutoff));
                ps.setString(i++, hub);
                Db.setInstant(ps, i++, cutoff);
                ps.setString(i++, hub);
                ps.setInt(i++, query.repeatedDeliveries());
                i = bindArms(ps, i, query, cutoff);
                Db.setInstant(ps, i++, now);
                ps.setString(i++, hub);
                i = bindArms(ps, i, query, cutoff);
                ps.setInt(i, query.limit() + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
        boolean more = found.size() > query.limit();
        return new StuckInstances(more ? found.subList(0, query.limit()) : found, more, StuckInstances.ALL_REASONS, now);
    }

    /** Binds the parameters of the four arms, in their order in the statement. */
    private static int bindArms(PreparedStatement ps, int i, StuckQuery query, Instant cutoff) throws java.sql.SQLException {
        long cutoffNs = Db.nanos(cutoff);
        ps.setLong(i++, cutoffNs);
        ps.setLong(i++, cutoffNs);
        Db.setInstant(ps, i++, cutoff);
        Db.setInstant(ps, i++, cutoff);
        Db.setInstant(ps, i++, cutoff);
        Db.setInstant(ps, i++, cutoff);
        ps.setInt(i++, query.repeatedDeliveries());
        return i;
    }

    private static StuckInstance row(ResultSet rs) throws java.sql.SQLException {
        Set<StuckReason> reasons = EnumSet.noneOf(StuckReason.class);
        if (rs.getBoolean("is_pending")) {
            reasons.add(StuckReason.PENDING);
        }
        if (rs.getBoolean("is_timer")) {
            reasons.add(StuckReason.OVERDUE_TIMER);
        }
        if (rs.getBoolean("is_locked")) {
            reasons.add(StuckReason.LOCKED_PAST_LEASE);
        }
        if (rs.getBoolean("is_repeated")) {
            reasons.add(StuckReason.REPEATED_FAILURES);
        }
        RuntimeStatus status = RuntimeStatus.valueOf(rs.getString("status"));
        Instant created = Db.getNanos(rs, "created_ns");
        Instant due = Db.getInstant(rs, "oldest_due");
        if (due == null && status == RuntimeStatus.PENDING) {
            Instant scheduled = Db.getNanos(rs, "scheduled_ns");
            due = scheduled != null ? scheduled : created;
        }
        return new StuckInstance(rs.getString("instance_id"), rs.getString("name"), status, reasons, created, due,
                reasons.contains(StuckReason.LOCKED_PAST_LEASE) ? Db.getInstant(rs, "locked_until") : null,
                rs.getInt("delivery_count"));
    }
}
