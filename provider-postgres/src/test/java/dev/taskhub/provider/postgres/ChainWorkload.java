package dev.taskhub.provider.postgres;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The workload of the fault and scale-out tests: an orchestrator that chains five activities, each appending a letter.
 * When a log table is given, every activity run and every orchestrator run is recorded there (with the process id and
 * database timestamps), so a test can prove that no two episodes of one instance overlapped.
 */
final class ChainWorkload {
    static final String ORCHESTRATOR = "Chain";
    static final String ACTIVITY = "Step";
    static final int STEPS = 5;

    private ChainWorkload() {}

    static TaskHubWorker worker(StorageProvider provider, String logUrl, String logTable, int stepMillis, Duration lease) {
        return TaskHubWorker.builder(provider)
                // each activity thread keeps a connection for the log table: a few threads, so that several worker
                // processes stay well within the server's max_connections
                .options(WorkerOptions.builder().lockLease(lease).pollWait(Duration.ofMillis(500)).activityConcurrency(8).build())
                .addOrchestrator(ORCHESTRATOR, ctx -> run(ctx, logUrl, logTable))
                .addActivity(ACTIVITY, ctx -> {
                    if (stepMillis > 0) {
                        Thread.sleep(stepMillis);
                    }
                    if (logTable != null) {
                        log(logUrl, "INSERT INTO " + logTable + " (instance_id, kind, task_id, pid, started_at, ended_at) "
                                + "VALUES (?, 'activity', ?, ?, clock_timestamp(), clock_timestamp())", ctx.getInstanceId(), ctx.getTaskId());
                    }
                    return ctx.getInput(String.class) + (char) ('a' + ctx.getTaskId() % 26);
                })
                .build();
    }

    private static String run(OrchestrationContext ctx, String logUrl, String logTable) {
        long id = logTable == null ? -1 : logStart(logUrl, logTable, ctx.getInstanceId());
        try {
            String value = ctx.getInput(String.class);
            for (int i = 0; i < STEPS; i++) {
                value = ctx.callActivity(ACTIVITY, value, String.class).await();
            }
            return value;
        } finally {
            if (id >= 0) {
                log(logUrl, "UPDATE " + logTable + " SET ended_at = clock_timestamp() WHERE id = ?", id);
            }
        }
    }

    static String expected(String input) {
        StringBuilder sb = new StringBuilder(input);
        for (int i = 0; i < STEPS; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return sb.toString();
    }

    private static final ThreadLocal<Connection> LOG = new ThreadLocal<>();

    private static Connection logConnection(String url) throws SQLException {
        Connection c = LOG.get();
        if (c == null || c.isClosed()) {
            c = DriverManager.getConnection(url);
            LOG.set(c);
        }
        return c;
    }

    private static long logStart(String url, String table, String instanceId) {
        try {
            try (PreparedStatement ps = logConnection(url).prepareStatement("INSERT INTO " + table
                    + " (instance_id, kind, task_id, pid, started_at) VALUES (?, 'episode', -1, ?, clock_timestamp()) RETURNING id")) {
                ps.setString(1, instanceId);
                ps.setLong(2, ProcessHandle.current().pid());
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            LOG.remove();
            throw new IllegalStateException(e);
        }
    }

    private static void log(String url, String sql, Object... args) {
        try (PreparedStatement ps = logConnection(url).prepareStatement(sql)) {
            int i = 1;
            for (Object a : args) {
                if (a instanceof String s) {
                    ps.setString(i++, s);
                } else if (a instanceof Integer n) {
                    ps.setInt(i++, n);
                    if (sql.contains("pid")) {
                        ps.setLong(i++, ProcessHandle.current().pid());
                    }
                } else {
                    ps.setLong(i++, (Long) a);
                }
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.remove();
            throw new IllegalStateException(e);
        }
    }

    static void createLogTable(String url, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); var st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (id bigserial primary key, instance_id text not null, kind text not null, "
                    + "task_id int not null, pid bigint not null, started_at timestamptz not null, ended_at timestamptz)");
        }
    }

    static void dropLogTable(String url, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); var st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
        }
    }
}
