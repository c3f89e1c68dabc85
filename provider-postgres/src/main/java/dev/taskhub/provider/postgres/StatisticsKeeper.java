package dev.taskhub.provider.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the planner statistics of the hub's tables current while they grow, whatever the server's autovacuum does.
 *
 * <p>A table that has never been analyzed has no statistics, and PostgreSQL then guesses that {@code hub = ?} matches
 * a handful of rows. Every lookup by instance id ({@code hub = ? AND instance_id = ANY(?)}, joins with arrays of ids)
 * is then planned as a scan of the whole hub with a filter, and the plan stays cached in each pooled connection: on a
 * fresh database a checkpoint took 5 ms instead of 0.2 ms and throughput halved until something ran {@code ANALYZE}.
 * Autovacuum does that eventually when it is on (within a minute or so), not at all when it is off.
 *
 * <p>So workers analyze the tables themselves: a table is analyzed when it holds rows and was never analyzed, or its
 * live rows have doubled since it last was, which is about log2(rows) cheap analyses over a table's life. The
 * decision reads {@code pg_class} and {@code pg_stat_user_tables}; one worker per schema analyzes at a time (an
 * advisory lock); {@code ANALYZE} invalidates the cached plans of every session. Without the owner's rights the
 * server skips the table with a warning and nothing else happens. Off with {@code taskhub.postgres.autoAnalyze=false}.
 * Vacuuming stays the server's job: when autovacuum is off, the keeper says so once (WARN).
 * Thread-safe.
 */
final class StatisticsKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatisticsKeeper.class);
    static final List<String> TABLES = List.of("instances", "history", "orchestration_messages", "activity_messages");
    /** Rows below which a table's plans do not matter. */
    private static final long MIN_ROWS = 100;
    private static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final Db db;
    private final boolean enabled;
    private final String readSizes;
    private final AtomicLong nextCheck = new AtomicLong(System.nanoTime());
    private final AtomicBoolean running = new AtomicBoolean();
    private static final AtomicBoolean AUTOVACUUM_WARNED = new AtomicBoolean();
    /** Live rows of each table when this object last analyzed it (or tried to). */
    private final Map<String, Long> analyzedAt = new ConcurrentHashMap<>();
    private volatile ExecutorService executor;
    private volatile boolean closed;

    StatisticsKeeper(Db db, boolean enabled) {
        this.db = db;
        this.enabled = enabled;
        this.readSizes = "SELECT c.relname, c.reltuples, coalesce(s.n_live_tup, 0), current_setting('autovacuum') FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                + "WHERE n.nspname = ? AND c.relname = ANY(?)";
    }

    /** Called on the workers' lock paths: at most every few seconds, checks in the background whether to analyze. */
    void tick() {
        long now = System.nanoTime();
        long next = nextCheck.get();
        if (!enabled || closed || now - next < 0 || !nextCheck.compareAndSet(next, now + CHECK_INTERVAL_NANOS)) {
            return;
        }
        if (running.compareAndSet(false, true)) {
            executor().execute(() -> {
                try {
                    checkNow();
                } catch (RuntimeException e) {
                    LOG.debug("Checking the planner statistics of schema '{}' failed; trying again later", db.settings().schema(), e);
                } finally {
                    running.set(false);
                }
            });
        }
    }

    /** Analyzes the tables that are due now, on the calling thread; returns their names. */
    List<String> checkNow() {
        if (!enabled) {
            return List.of();
        }
        List<String> due = new ArrayList<>();
        Map<String, Long> live = new HashMap<>();
        db.autoCommit("read table sizes", c -> {
            try (PreparedStatement ps = c.prepareStatement(readSizes)) {
                ps.setString(1, db.settings().schema());
                ps.setArray(2, Db.textArray(c, TABLES.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String table = rs.getString(1);
                        double reltuples = rs.getDouble(2);
                        long rows = rs.getLong(3);
                        if ("off".equals(rs.getString(4)) && AUTOVACUUM_WARNED.compareAndSet(false, true)) {
                            LOG.warn("Autovacuum is off on this PostgreSQL server: the dead rows of task hub '{}' (every "
                                    + "lock, checkpoint and consumed message leaves some) are never cleaned up, and its "
                                    + "tables and indexes keep growing and slowing down. Turn it on (ALTER SYSTEM SET "
                                    + "autovacuum = on; SELECT pg_reload_conf()) or VACUUM schema '{}' regularly.",
                                    db.settings().taskHub(), db.settings().schema());
                        }
                        long known = Math.max(MIN_ROWS, Math.max((long) reltuples, analyzedAt.getOrDefault(table, 0L)));
                        boolean never = reltuples < 0 && !analyzedAt.containsKey(table);
                        if (never ? rows >= MIN_ROWS : rows >= 2 * known) {
                            due.add(table);
                            live.put(table, rows);
                        }
                    }
                }
            }
            return null;
        });
        if (due.isEmpty()) {
            return due;
        }
        boolean analyzed = db.inTransaction("analyze the hub's tables", c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "taskhub-analyze/" + db.settings().schema());
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return false;  // another worker is analyzing this schema right now
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE " + String.join(", ", due.stream().map(t -> db.sql("{s}" + t)).toList()));
            }
            return true;
        });
        if (!analyzed) {
            return List.of();
        }
        analyzedAt.putAll(live);
        LOG.debug("Analyzed {} in schema '{}' (live rows {})", due, db.settings().schema(), live);
        return due;
    }

    private ExecutorService executor() {
        ExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                if (executor == null) {
                    executor = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "taskhub-postgres-statistics");
                        t.setDaemon(true);
                        return t;
                    });
                }
                e = executor;
            }
        }
        return e;
    }

    @Override
    public void close() {
        closed = true;
        ExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }
}
