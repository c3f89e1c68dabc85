package dev.taskhub.provider.postgres;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kills the worker's database connections mid-run; every instance must still complete, once. */
class PostgresFaultTest {
    private static final int INSTANCES = 80;

    @Test
    void workerSurvives_terminatedConnections() throws Exception {
        String hub = PostgresTestDatabase.hubName("pgfault");
        String appName = "taskhub-fault-" + hub.substring(hub.lastIndexOf('_') + 1);
        PostgresStorageProvider clientProvider = PostgresTestDatabase.createdProvider(hub, Map.of());
        PostgresStorageProvider workerProvider = PostgresTestDatabase.provider(hub, Map.of(PostgresSettings.APPLICATION_NAME, appName,
                PostgresSettings.POLL_INTERVAL, "PT0.5S"));
        try (TaskHubWorker worker = ChainWorkload.worker(workerProvider, null, null, 15, Duration.ofSeconds(3))) {
            worker.start();
            TaskHubClient client = new TaskHubClient(clientProvider);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                ids.add(client.scheduleNewOrchestrationInstance(ChainWorkload.ORCHESTRATOR, "f" + i));
            }
            int killed = 0;
            for (int round = 0; round < 4; round++) {
                Thread.sleep(400);
                killed += terminate(appName);
            }
            assertThat(killed).as("connections terminated").isGreaterThan(0);
            for (int i = 0; i < INSTANCES; i++) {
                OrchestrationMetadata m = client.waitForInstanceCompletion(ids.get(i), Duration.ofSeconds(60));
                assertThat(m.runtimeStatus()).as(ids.get(i)).isEqualTo(RuntimeStatus.COMPLETED);
                assertThat(m.readOutputAs(String.class)).isEqualTo(ChainWorkload.expected("f" + i));
                PostgresScaleOutTest.assertNoDuplicates(clientProvider.getHistory(ids.get(i)));
            }
            // the listener reconnected by itself
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!workerProvider.isListening() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(workerProvider.isListening()).isTrue();
        } finally {
            workerProvider.close();
            PostgresTestDatabase.deleteAndClose(clientProvider);
        }
    }

    private static int terminate(String appName) throws Exception {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     + "WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, appName);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n += rs.getBoolean(1) ? 1 : 0;
                }
            }
            return n;
        }
    }
}
