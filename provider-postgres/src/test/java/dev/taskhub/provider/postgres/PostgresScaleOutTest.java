package dev.taskhub.provider.postgres;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two worker processes on one hub: every instance completes once, and no two episodes of an instance overlap. */
class PostgresScaleOutTest {
    private static final int INSTANCES = 120;

    @Test
    void twoWorkerProcesses_completeEveryInstanceExactlyOnce_withoutConcurrentEpisodes() throws Exception {
        String url = PostgresTestDatabase.url();
        String hub = PostgresTestDatabase.hubName("pgscale");
        String table = "public.taskhub_scaleout_" + hub.substring(hub.lastIndexOf('_') + 1);
        ChainWorkload.createLogTable(url, table);
        PostgresStorageProvider provider = PostgresTestDatabase.createdProvider(hub, Map.of());
        List<Process> workers = new ArrayList<>();
        try {
            String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
            for (int i = 0; i < 2; i++) {
                Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", ScaleOutWorkerMain.class.getName(), url, hub, table)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                workers.add(p);
            }
            for (Process p : workers) {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("READY");
            }
            TaskHubClient client = new TaskHubClient(provider);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                ids.add(client.scheduleNewOrchestrationInstance(ChainWorkload.ORCHESTRATOR, "s" + i));
            }
            for (int i = 0; i < INSTANCES; i++) {
                OrchestrationMetadata m = client.waitForInstanceCompletion(ids.get(i), Duration.ofSeconds(120));
                assertThat(m.runtimeStatus()).as(ids.get(i)).isEqualTo(RuntimeStatus.COMPLETED);
                assertThat(m.readOutputAs(String.class)).isEqualTo(ChainWorkload.expected("s" + i));
                assertNoDuplicates(provider.getHistory(ids.get(i)));
            }
            try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT count(DISTINCT pid) FROM " + table + " WHERE kind = 'activity'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("both processes ran activities").isEqualTo(2);
                }
                try (ResultSet rs = st.executeQuery("SELECT count(DISTINCT pid) FROM " + table + " WHERE kind = 'episode'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("both processes ran episodes").isEqualTo(2);
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table + " a JOIN " + table + " b "
                        + "ON a.instance_id = b.instance_id AND a.id < b.id AND a.kind = 'episode' AND b.kind = 'episode' "
                        + "AND a.started_at < coalesce(b.ended_at, 'infinity') AND b.started_at < coalesce(a.ended_at, 'infinity')")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("overlapping episodes of one instance").isZero();
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table + " WHERE kind = 'activity'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("each activity ran once (leases never expired)").isEqualTo(INSTANCES * ChainWorkload.STEPS);
                }
            }
        } finally {
            for (Process p : workers) {
                p.getOutputStream().close();
            }
            for (Process p : workers) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            PostgresTestDatabase.deleteAndClose(provider);
            ChainWorkload.dropLogTable(url, table);
        }
    }

    static void assertNoDuplicates(List<HistoryEvent> history) {
        Set<Integer> scheduled = new HashSet<>();
        Set<Integer> completed = new HashSet<>();
        int started = 0;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.TaskScheduled s) {
                assertThat(scheduled.add(s.eventId())).as("TaskScheduled %s once", s.eventId()).isTrue();
            } else if (e instanceof HistoryEvent.TaskCompleted c) {
                assertThat(completed.add(c.taskScheduledId())).as("TaskCompleted %s once", c.taskScheduledId()).isTrue();
            } else if (e instanceof HistoryEvent.ExecutionStarted) {
                started++;
            }
        }
        assertThat(started).isEqualTo(1);
        assertThat(completed).isEqualTo(scheduled);
    }
}
