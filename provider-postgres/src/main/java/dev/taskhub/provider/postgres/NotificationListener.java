package dev.taskhub.provider.postgres;

import dev.taskhub.spi.support.Backoff;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One dedicated connection (outside the pool, or held from the application's data source) that LISTENs on the hub's two channels and wakes the waiting lock calls.
 * Reconnects by itself with back-off after the connection is lost, logging the outage once and the recovery once.
 * While it is disconnected, lock calls fall back to polling. Owned by the provider, which closes it.
 */
final class NotificationListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);

    private final Db db;
    private final PostgresSettings settings;
    private final String orchestrationChannel;
    private final String activityChannel;
    private final WakeSignal orchestrationSignal;
    private final WakeSignal activitySignal;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile Connection connection;

    NotificationListener(Db db, WakeSignal orchestrationSignal, WakeSignal activitySignal) {
        this.db = db;
        this.settings = db.settings();
        this.orchestrationChannel = channel(settings.schema(), settings.taskHub(), "o");
        this.activityChannel = channel(settings.schema(), settings.taskHub(), "a");
        this.orchestrationSignal = orchestrationSignal;
        this.activitySignal = activitySignal;
        this.thread = new Thread(this::run, "taskhub-postgres-listener-" + settings.taskHub());
        this.thread.setDaemon(true);
    }

    /** The channel name the schema's trigger notifies: {@code th_ || md5(schema/hub/kind)}. */
    static String channel(String schema, String hub, String kind) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest((schema + "/" + hub + "/" + kind).getBytes(StandardCharsets.UTF_8));
            return "th_" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void start() {
        thread.start();
    }

    boolean isConnected() {
        return connected;
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        boolean outageLogged = false;
        while (!closed) {
            try {
                Connection c = open();
                connection = c;
                connected = true;
                if (outageLogged) {
                    log.info("Taskhub PostgreSQL listener for hub '{}' reconnected to {}", settings.taskHub(), settings.maskedUrl());
                    outageLogged = false;
                }
                backoff.reset();
                // work may have arrived while we were not listening
                orchestrationSignal.signal();
                activitySignal.signal();
                listen(c);
            } catch (SQLException | RuntimeException e) {
                connected = false;
                if (closed) {
                    break;
                }
                if (!outageLogged) {
                    log.warn("Taskhub PostgreSQL listener for hub '{}' lost its connection to {} ({}); workers poll "
                                    + "every {} until it reconnects", settings.taskHub(), settings.maskedUrl(),
                            PostgresSettings.mask(String.valueOf(e.getMessage())), settings.pollInterval());
                    outageLogged = true;
                } else {
                    log.debug("Listener reconnect failed: {}", PostgresSettings.mask(String.valueOf(e.getMessage())));
                }
                closeQuietly();
                sleep(backoff.nextMillis());
            }
        }
        connected = false;
        closeQuietly();
    }

    private Connection open() throws SQLException {
        Connection c = db.directConnection();
        try (Statement st = c.createStatement()) {
            st.execute("LISTEN \"" + orchestrationChannel + "\"");
            st.execute("LISTEN \"" + activityChannel + "\"");
        }
        return c;
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastCheck = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(500);
            if (notifications != null) {
                boolean orchestration = false;
                boolean activity = false;
                for (PGNotification n : notifications) {
                    orchestration |= orchestrationChannel.equals(n.getName());
                    activity |= activityChannel.equals(n.getName());
                }
                if (orchestration) {
                    orchestrationSignal.signal();
                }
                if (activity) {
                    activitySignal.signal();
                }
            }
            if (System.nanoTime() - lastCheck > 10_000_000_000L) {
                // detects a half-open connection that would otherwise never report an error
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT 1");
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly();
    }
}
