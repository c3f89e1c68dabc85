package dev.taskhub.provider.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Lets the workers of a hub take over a crashed worker's locks as soon as its database session ends, instead of when
 * their leases run out. A worker that locks work holds a session advisory lock {@code (LOCK_CLASS, ownerId)} on a
 * connection of its own and puts its owner id in front of every lock token it writes ({@code ownerId:uuid}). When the
 * process dies, PostgreSQL ends its session and drops the advisory lock with it. Every
 * {@link #REAP_INTERVAL} each worker frees the locks (orchestration instances and activity messages) whose token
 * names an owner that held no such lock at this pass and the previous one: they become due at once, and the waiting
 * workers are notified. A live worker checks its liveness connection every {@link #HOLD_CHECK} and takes the same id
 * again when it broke.
 *
 * <p>Safe for the same reason an expired lease is: a checkpoint, renewal or completion presents its token and is
 * refused once the lock was freed or taken again, so a worker that is alive but was missed twice only repeats work. Tokens without an owner (this feature turned off with
 * {@code taskhub.postgres.crashTakeover=false}, e.g. behind a pooler in transaction mode, where session locks do not
 * last) are left to their leases. Only locks whose lease ends within {@link #WINDOW} are examined, so the pass is an
 * index range scan of the near future. Thread-safe.
 */
final class OwnerLiveness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OwnerLiveness.class);
    /** The first key of every Taskhub worker's advisory lock ("THB1"). */
    static final int LOCK_CLASS = 0x54484231;
    static final Duration REAP_INTERVAL = Duration.ofSeconds(2);
    static final Duration WINDOW = Duration.ofMinutes(10);
    /** How often a worker checks its own liveness connection: well within a pass, so a blip never looks like death. */
    static final Duration HOLD_CHECK = Duration.ofMillis(500);
    private static final String LIVE = "live AS (SELECT objid::text AS owner FROM pg_locks WHERE locktype = 'advisory' "
            + "AND classid = " + LOCK_CLASS + " AND objsubid = 2 AND granted "
            + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))";
    private static final String NEAR = "visible_at > statement_timestamp() AND visible_at <= statement_timestamp() + interval '"
            + WINDOW.toMinutes() + " minutes'";

    private final Db db;
    private final boolean enabled;
    private final String absentOwners;
    private final String freeInstances;
    private final String freeActivities;
    private final String orchestrationChannel;
    private final String activityChannel;
    private volatile String prefix = "";
    /** This worker's owner id (0 before it took one); taken again after its liveness connection broke. */
    private int ownerId;
    /** Owners with locks but no advisory lock at the previous pass: freed when still absent at the next. */
    private Set<String> absentBefore = Set.of();
    private Connection held;
    private volatile ScheduledExecutorService reaper;
    private boolean closed;

    OwnerLiveness(Db db) {
        this.db = db;
        this.enabled = db.settings().crashTakeover();
        String hub = db.settings().taskHub();
        this.orchestrationChannel = NotificationListener.channel(db.settings().schema(), hub, "o");
        this.activityChannel = NotificationListener.channel(db.settings().schema(), hub, "a");
        String instanceOwner = "split_part(lock_token, ':', 1)";
        String activityOwner = "split_part(split_part(lock_token, '.', 2), ':', 1)";
        String lockedInstances = "hub = ? AND " + NEAR + " AND lock_token IS NOT NULL AND locked_until > statement_timestamp() "
                + "AND strpos(lock_token, ':') > 0 AND " + instanceOwner + " NOT IN (SELECT owner FROM live)";
        String lockedActivities = "hub = ? AND " + NEAR + " AND lock_token IS NOT NULL AND strpos(lock_token, ':') > 0 AND "
                + activityOwner + " NOT IN (SELECT owner FROM live)";
        this.absentOwners = db.sql("WITH " + LIVE + " SELECT " + instanceOwner + " FROM {s}instances WHERE " + lockedInstances
                + " UNION SELECT " + activityOwner + " FROM {s}activity_messages WHERE " + lockedActivities);
        this.freeInstances = db.sql("WITH " + LIVE + ", r AS (UPDATE {s}instances SET locked_until = statement_timestamp(), "
                + "visible_at = statement_timestamp() WHERE " + lockedInstances + " AND " + instanceOwner + " = ANY(?) RETURNING 1) "
                + "SELECT count(*) FROM r");
        this.freeActivities = db.sql("WITH " + LIVE + ", r AS (UPDATE {s}activity_messages SET visible_at = statement_timestamp() "
                + "WHERE " + lockedActivities + " AND " + activityOwner + " = ANY(?) RETURNING 1) SELECT count(*) FROM r");
    }

    /** A new lock token, led by this worker's owner id once it holds its advisory lock (started on first use). */
    String token() {
        if (enabled && reaper == null) {
            start();
        }
        return prefix + UUID.randomUUID();
    }

    private synchronized void start() {
        if (reaper != null || closed) {
            return;
        }
        reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "taskhub-postgres-takeover-" + db.settings().taskHub());
            t.setDaemon(true);
            return t;
        });
        ensureHeld();
        reaper.scheduleWithFixedDelay(this::ensureHeld, HOLD_CHECK.toMillis(), HOLD_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        reaper.scheduleWithFixedDelay(this::pass, REAP_INTERVAL.toMillis(), REAP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes an owner id and its advisory lock when the worker has none (first use, or its connection broke). */
    private synchronized void ensureHeld() {
        try {
            if (held != null && held.isValid(2)) {
                return;
            }
            closeHeld();
            Connection c = db.directConnection();
            // after a broken connection always the same id, so the locks written under it stay ours: while the old
            // session is still ending it holds the id, and the other workers see it alive; try again at the next check
            int id = ownerId != 0 ? ownerId : ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(" + LOCK_CLASS + ", ?)")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        held = c;
                        ownerId = id;
                        prefix = id + ":";
                        log.debug("Worker of hub '{}' holds owner id {}", db.settings().taskHub(), id);
                        return;
                    }
                }
            }
            c.close();
            if (ownerId == 0) {
                prefix = "";
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not take an owner id (locks fall back to their leases until the next try): {}", e.toString());
        }
    }

    /**
     * One pass: free the locks of owners that held no advisory lock at this pass and the previous one. Waiting one
     * pass spares a live worker whose liveness connection broke: it takes its id again within {@link #HOLD_CHECK}.
     */
    void pass() {
        try (Connection c = db.connection()) {
            Set<String> absent = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(absentOwners)) {
                ps.setString(1, db.settings().taskHub());
                ps.setString(2, db.settings().taskHub());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        absent.add(rs.getString(1));
                    }
                }
            }
            Set<String> confirmed = new HashSet<>(absent);
            confirmed.retainAll(absentBefore);
            absentBefore = absent;
            if (confirmed.isEmpty()) {
                return;
            }
            Array owners = c.createArrayOf("text", confirmed.toArray());
            int instances = free(c, freeInstances, owners, orchestrationChannel);
            int activities = free(c, freeActivities, owners, activityChannel);
            if (instances + activities > 0) {
                log.info("Took over {} orchestration lock(s) and {} activity lock(s) of workers whose database session ended",
                        instances, activities);
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Taking over the locks of ended workers failed, retrying: {}", e.toString());
        }
    }

    private int free(Connection c, String sql, Array owners, String channel) throws SQLException {
        int n;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, db.settings().taskHub());
            ps.setArray(2, owners);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getInt(1);
            }
        }
        if (n > 0) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, '')")) {
                ps.setString(1, channel);
                ps.execute();
            }
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
        return n;
    }

    private void closeHeld() {
        if (held != null) {
            try (PreparedStatement ps = held.prepareStatement("SELECT pg_advisory_unlock(" + LOCK_CLASS + ", ?)")) {
                // a connection of an application's pool goes back to the pool, and its session lives on
                ps.setInt(1, ownerId);
                ps.execute();
            } catch (SQLException ignored) {
                // the connection is broken: its session is gone, and the lock with it
            }
            try {
                held.close();
            } catch (SQLException ignored) {
                // the session ends either way
            }
            held = null;
        }
    }

    /** Stops the passes and ends the session, which releases the owner id. */
    @Override
    public synchronized void close() {
        closed = true;
        if (reaper != null) {
            reaper.shutdownNow();
        }
        closeHeld();
        prefix = "";
    }
}
