package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.samples.SamplesModule;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real CLI, one process per command, against a shared PostgreSQL task hub configured through a
 * {@code taskhub.properties} in the working directory, with a worker in this JVM. Skipped (with the reason) when the
 * PostgreSQL provider is not on the class path or no server answers on 127.0.0.1:5432; fails instead when
 * TASKHUB_REQUIRE_ALL_PROVIDERS=true.
 */
class CliPostgresTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String connectionString() {
        String env = System.getenv("TASKHUB_POSTGRES_URL");
        return env != null && !env.isBlank() ? env : "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    }

    private static void requirePostgres() {
        boolean required = "true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"));
        boolean provider = StorageProviders.available().stream().anyMatch(f -> f.name().equals("postgres"));
        boolean server = System.getenv("TASKHUB_POSTGRES_URL") != null || reachable("127.0.0.1", 5432);
        String reason = !provider ? "the PostgreSQL provider (taskhub-provider-postgres) is not on the class path"
                : !server ? "no PostgreSQL server answers on 127.0.0.1:5432 and TASKHUB_POSTGRES_URL is not set" : null;
        if (reason != null) {
            System.err.println("*** CliPostgresTest SKIPPED: " + reason + " ***");
            assertThat(required).as("TASKHUB_REQUIRE_ALL_PROVIDERS=true but " + reason).isFalse();
        }
        assumeTrue(reason == null, reason);
    }

    private static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void managementSubcommands_inSeparateProcesses_onASharedTaskHub(@TempDir Path dir) throws Exception {
        requirePostgres();
        String hub = "CliPg" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Files.writeString(dir.resolve("taskhub.properties"), "AzureWebJobsStorage=" + connectionString() + "\n");
        try (StorageProvider provider = StorageProviders.open(null, ProviderConfig.of(connectionString(), hub))) {
            provider.createTaskHub();
            TaskHubClient client = new TaskHubClient(provider);
            try (TaskHubWorker worker = TaskHubWorker.builder(provider).addModule(new SamplesModule()).build().start()) {
                CliProcessTest.Run started = CliProcessTest.run(dir, "start-new", "--function-name", "E3_Counter",
                        "--id", "ctr", "--input", "0", "--task-hub-name", hub);
                assertThat(started.exitCode()).as(started.err()).isZero();
                assertThat(started.err()).doesNotContain("lives only inside this process");
                client.waitForInstanceStart("ctr", Duration.ofSeconds(20));

                JsonNode status = json(CliProcessTest.run(dir, "get-runtime-status", "--id", "ctr", "--json", "--task-hub-name", hub));
                assertThat(status.get("runtimeStatus").asText()).isIn("Running", "Pending");

                assertThat(CliProcessTest.run(dir, "raise-event", "--id", "ctr", "--event-name", "operation",
                        "--event-data", "\"stop\"", "--task-hub-name", hub).exitCode()).isZero();
                assertThat(client.waitForInstanceCompletion("ctr", Duration.ofSeconds(20)).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);

                assertThat(CliProcessTest.run(dir, "start-new", "--function-name", "E4_HumanApproval", "--id", "appr",
                        "--input", "600", "--task-hub-name", hub).exitCode()).isZero();
                client.waitForInstanceStart("appr", Duration.ofSeconds(20));
                assertThat(CliProcessTest.run(dir, "terminate", "--id", "appr", "--reason", "not needed",
                        "--task-hub-name", hub).exitCode()).isZero();
                assertThat(client.waitForInstanceCompletion("appr", Duration.ofSeconds(20)).runtimeStatus()).isEqualTo(RuntimeStatus.TERMINATED);

                JsonNode list = json(CliProcessTest.run(dir, "get-instances", "--json", "--task-hub-name", hub));
                assertThat(list.get("instances")).extracting(n -> n.get("instanceId").asText()).containsExactlyInAnyOrder("ctr", "appr");

                JsonNode purged = json(CliProcessTest.run(dir, "purge-history", "--json", "--task-hub-name", hub));
                assertThat(purged.get("instancesDeleted").asLong()).isEqualTo(2);
                CliProcessTest.Run gone = CliProcessTest.run(dir, "get-runtime-status", "--id", "ctr", "--task-hub-name", hub);
                assertThat(gone.exitCode()).isEqualTo(1);
            } finally {
                CliProcessTest.Run deleted = CliProcessTest.run(dir, "delete-task-hub", "--task-hub-name", hub);
                assertThat(deleted.exitCode()).as(deleted.err()).isZero();
            }
        }
    }

    private static JsonNode json(CliProcessTest.Run r) throws Exception {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }
}
