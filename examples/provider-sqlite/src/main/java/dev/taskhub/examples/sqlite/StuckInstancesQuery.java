package dev.taskhub.examples.sqlite;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.spi.support.StuckFacts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.taskhub.examples.sqlite.Database.instant;
import static dev.taskhub.examples.sqlite.Database.nanos;
import static dev.taskhub.examples.sqlite.Database.query;

/**
 * The stuck-instance query: one read of the facts of every pending instance and every instance with messages (their
 * oldest due message, oldest due timer, lock and delivery count), judged by {@link StuckFacts}. It reads each such
 * instance, so its cost grows with the instances that have work queued, not with the finished ones. Sees every reason.
 */
final class StuckInstancesQuery {
    private static final String FACTS = "SELECT i.instance_id, i.name, i.status, i.created_ns, i.scheduled_ns, "
            + "l.lock_token, l.locked_until_ns, "
            + "(SELECT MIN(m.visible_ns) FROM orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id "
            + "AND m.visible_ns <= ?) AS oldest_due, "
            + "(SELECT MIN(m.visible_ns) FROM orchestration_messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id "
            + "AND m.visible_ns <= ? AND m.event LIKE '{\"EventType\":\"TimerFired\"%') AS oldest_timer, "
            + "(SELECT COALESCE(MAX(m.deliveries), 0) FROM orchestration_messages m WHERE m.hub = i.hub "
            + "AND m.instance_id = i.instance_id) AS deliveries "
            + "FROM instances i LEFT JOIN instance_locks l ON l.hub = i.hub AND l.instance_id = i.instance_id "
            + "WHERE i.hub = ? AND (i.status = 'PENDING' OR i.instance_id IN "
            + "(SELECT DISTINCT instance_id FROM orchestration_messages WHERE hub = ?))";

    private final Database db;
    private final String hub;

    StuckInstancesQuery(Database db, String hub) {
        this.db = db;
        this.hub = hub;
    }

    StuckInstances find(StuckQuery query, Instant now) {
        long nowNs = nanos(now);
        List<StuckFacts> facts = db.read(c -> query(c, FACTS, r -> {
            Instant lockedUntil = r.getString("lock_token") == null ? null : instant(r, "locked_until_ns");
            return new StuckFacts(r.getString("instance_id"), r.getString("name"), RuntimeStatus.valueOf(r.getString("status")),
                    instant(r, "created_ns"), instant(r, "scheduled_ns"), instant(r, "oldest_due"), instant(r, "oldest_timer"),
                    lockedUntil != null && lockedUntil.isAfter(now), lockedUntil, r.getInt("deliveries"));
        }, nowNs, nowNs, hub, hub));
        List<StuckInstance> found = new ArrayList<>();
        facts.forEach(f -> f.judge(query, now).ifPresent(found::add));
        return StuckFacts.answer(found, query, now, StuckInstances.ALL_REASONS, false);
    }
}
