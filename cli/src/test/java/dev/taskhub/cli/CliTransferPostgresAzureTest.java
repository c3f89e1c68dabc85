package dev.taskhub.cli;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.samples.SamplesModule;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end with the real backends: {@code taskhub export} from a PostgreSQL hub, {@code taskhub import} into an Azure
 * Storage hub (Azurite), where a waiting instance continues and completes, and back into a fresh PostgreSQL hub.
 * Skipped (with the reason) when PostgreSQL on 127.0.0.1:5432 or Azurite on 127.0.0.1:10000-10002 does not answer;
 * fails instead when TASKHUB_REQUIRE_ALL_PROVIDERS=true.
 */
class CliTransferPostgresAzureTest {
    private static final String AZURE = "UseDevelopmentStorage=true";

    private static void requireBackends() {
        boolean required = "true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"));
        String reason = !reachable(5432) && System.getenv("TASKHUB_POSTGRES_URL") == null ? "no PostgreSQL server on 127.0.0.1:5432"
                : !reachable(10000) || !reachable(10001) || !reachable(10002) ? "no Azurite on 127.0.0.1:10000-10002" : null;
        if (reason != null) {
            System.err.println("*** CliTransferPostgresAzureTest SKIPPED: " + reason + " ***");
            assertThat(required).as("TASKHUB_REQUIRE_ALL_PROVIDERS=true but " + reason).isFalse();
        }
        assumeTrue(reason == null, reason);
    }

    private static boolean reachable(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static String hubName(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static CliRunner.Result ok(CliRunner cli, String... args) {
        CliRunner.Result r = cli.run(args);
        assertThat(r.exitCode()).as("%s: %s %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r;
    }

    @Test
    void postgresToAzureStorageAndBack_aWaitingInstanceContinuesOnAzure(@TempDir Path dir) throws Exception {
        requireBackends();
        CliRunner cli = new CliRunner(Map.of("PgStorage", CliPostgresTest.connectionString(), "AzStorage", AZURE));
        String pgHub = hubName("XferPg");
        String azHub = hubName("XferAz");
        String backHub = hubName("XferBack");
        try (StorageProvider pg = StorageProviders.open(null, ProviderConfig.of(CliPostgresTest.connectionString(), pgHub));
             StorageProvider az = StorageProviders.open(null, ProviderConfig.of(AZURE, azHub));
             StorageProvider back = StorageProviders.open(null, ProviderConfig.of(CliPostgresTest.connectionString(), backHub))) {
            try {
                pg.createTaskHub();
                TaskHubClient pgClient = new TaskHubClient(pg);
                try (TaskHubWorker worker = TaskHubWorker.builder(pg).addModule(new SamplesModule()).build().start()) {
                    pgClient.scheduleNewOrchestrationInstance("E1_HelloSequence", null, NewOrchestrationOptions.withInstanceId("done"));
                    pgClient.scheduleNewOrchestrationInstance("E4_HumanApproval", 600, NewOrchestrationOptions.withInstanceId("waiting"));
                    assertThat(pgClient.waitForInstanceCompletion("done", Duration.ofSeconds(30), Duration.ofMillis(100)).runtimeStatus())
                            .isEqualTo(RuntimeStatus.COMPLETED);
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (pg.getHistory("waiting").stream().noneMatch(HistoryEvent.TimerCreated.class::isInstance)) {
                        assertThat(System.nanoTime()).as("the approval waits").isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }

                Path file = dir.resolve("pg.jsonl");
                ok(cli, "export", "--connection-string-setting", "PgStorage", "--task-hub-name", pgHub, "--output", file.toString());
                CliRunner.Result imported = ok(cli, "import", file.toString(), "--connection-string-setting", "AzStorage",
                        "--task-hub-name", azHub);
                assertThat(imported.out()).contains("Imported 2, replaced 0, skipped 0, failed 0");
                assertThat(az.getHistory("done")).containsExactlyElementsOf(pg.getHistory("done"));
                assertThat(az.getInstance("done")).isEqualTo(pg.getInstance("done"));

                TaskHubClient azClient = new TaskHubClient(az);
                try (TaskHubWorker worker = TaskHubWorker.builder(az).addModule(new SamplesModule()).build().start()) {
                    azClient.raiseEvent("waiting", "Approval", true);
                    OrchestrationMetadata approved = azClient.waitForInstanceCompletion("waiting", Duration.ofSeconds(60), Duration.ofMillis(100));
                    assertThat(approved.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
                    assertThat(approved.readOutputAs(String.class)).isEqualTo("Approved");
                }

                Path again = dir.resolve("az.jsonl");
                ok(cli, "export", "--connection-string-setting", "AzStorage", "--task-hub-name", azHub, "--output", again.toString());
                ok(cli, "import", again.toString(), "--connection-string-setting", "PgStorage", "--task-hub-name", backHub);
                for (String id : new String[] {"done", "waiting"}) {
                    assertThat(back.getHistory(id)).as(id).containsExactlyElementsOf(az.getHistory(id));
                    assertThat(back.getInstance(id)).as(id).isEqualTo(az.getInstance(id));
                }
            } finally {
                pg.deleteTaskHub();
                az.deleteTaskHub();
                back.deleteTaskHub();
            }
        }
    }
}
