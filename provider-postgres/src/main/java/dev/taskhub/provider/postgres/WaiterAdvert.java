package dev.taskhub.provider.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.util.UUID;

/**
 * Tells the database that this provider has threads idle-waiting on one queue of the hub, so enqueuing transactions
 * send a NOTIFY (the trigger only notifies when a waiter is advertised: NOTIFY serialises commits, so a busy hub
 * must not pay for it). The advert is a row in an unlogged table with an expiry, removed when the last waiting
 * thread finds work; a crashed process's advert simply expires. Failures are ignored: waiters then poll. Thread-safe.
 */
final class WaiterAdvert {
    private static final Logger log = LoggerFactory.getLogger(WaiterAdvert.class);
    private static final long SLACK_MILLIS = 1_000;

    private final Db db;
    private final String kind;
    private final String waiterId = UUID.randomUUID().toString();
    private final String upsert;
    private final String delete;
    private int waiting;
    private long advertisedUntilNanos;
    private volatile boolean everWritten;

    WaiterAdvert(Db db, String kind) {
        this.db = db;
        this.kind = kind;
        this.upsert = db.sql(Db.ASYNC_COMMIT + "INSERT INTO {s}waiters (hub, kind, waiter_id, waiting_until) VALUES (?, ?, ?, now() + ? * interval '1 millisecond') "
                + "ON CONFLICT (hub, kind, waiter_id) DO UPDATE SET waiting_until = EXCLUDED.waiting_until");
        this.delete = db.sql(Db.ASYNC_COMMIT + "DELETE FROM {s}waiters WHERE hub = ? AND kind = ? AND waiter_id = ?");
    }

    /** A thread starts waiting (call {@link #ensure} to advertise, {@link #exit} when done). */
    synchronized void enter() {
        waiting++;
    }

    /**
     * Makes sure the advert lasts at least {@code millis} more. Returns true when it had to be (re)written: only then
     * can a notification have been missed, and the caller looks for work once more.
     */
    boolean ensure(long millis) {
        synchronized (this) {
            if (advertisedUntilNanos - (System.nanoTime() + millis * 1_000_000L) > 0) {
                return false;
            }
            advertisedUntilNanos = System.nanoTime() + (millis + SLACK_MILLIS / 2) * 1_000_000L;
        }
        everWritten = true;
        write(upsert, millis + SLACK_MILLIS);
        return true;
    }

    /**
     * A thread that called {@link #enter} stops waiting. When the last one leaves because it found work, the advert
     * is withdrawn (the hub is busy: enqueuers need not notify); when it leaves empty-handed it will most likely wait
     * again at once, so the advert is left to expire by itself.
     */
    void exit(boolean foundWork) {
        synchronized (this) {
            if (--waiting > 0 || !foundWork || advertisedUntilNanos - System.nanoTime() <= 0) {
                return;
            }
            advertisedUntilNanos = System.nanoTime();
        }
        write(delete, -1);
    }

    /** Withdraws the advert (provider closing). */
    void withdraw() {
        if (everWritten) {
            write(delete, -1);
        }
    }

    private void write(String sql, long millis) {
        try {
            db.autoCommit("advertise an idle worker", c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, db.settings().taskHub());
                    ps.setString(2, kind);
                    ps.setString(3, waiterId);
                    if (millis >= 0) {
                        ps.setLong(4, millis);
                    }
                    Db.updateAfterPrefix(ps);
                }
                return null;
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                advertisedUntilNanos = System.nanoTime();
            }
            log.debug("Could not update the idle-waiter advert: {}", e.getMessage());
        }
    }
}
