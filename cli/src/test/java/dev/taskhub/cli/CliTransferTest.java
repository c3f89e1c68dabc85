package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.history.HistoryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code taskhub export} and {@code taskhub import} through files between two in-memory task hubs of this JVM: finished
 * instances arrive with their history, a waiting one continues on the target hub, a second import changes nothing,
 * and bad lines are reported with their line number.
 */
class CliTransferTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliRunner cli = new CliRunner(Map.of());
    private TestHub source;
    private TestHub target;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        source = TestHub.start("CliFrom");
        target = TestHub.start("CliTo");
    }

    @AfterEach
    void stop() {
        source.close();
        target.close();
    }

    private CliRunner.Result run(int expectedExit, String hub, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add("--task-hub-name");
        all.add(hub);
        CliRunner.Result r = cli.run(all.toArray(String[]::new));
        assertThat(r.exitCode()).as("exit code of %s; stdout: %s; stderr: %s", all, r.out(), r.err()).isEqualTo(expectedExit);
        return r;
    }

    @Test
    void exportToAFile_importIntoAnotherHub_andAWaitingInstanceContinuesThere() throws IOException {
        for (String id : List.of("order-1", "order-2")) {
            source.client.scheduleNewOrchestrationInstance("E1_HelloSequence", null, NewOrchestrationOptions.withInstanceId(id));
            source.client.waitForInstanceCompletion(id, Duration.ofSeconds(20), Duration.ofMillis(50));
        }
        source.client.scheduleNewOrchestrationInstance("E4_HumanApproval", 600, NewOrchestrationOptions.withInstanceId("order-3"));
        awaitTimer(source, "order-3");
        source.worker.close();

        Path file = dir.resolve("orders.jsonl");
        CliRunner.Result exported = run(0, source.name, "export", "--instance-id-prefix", "order-", "--output", file.toString());
        assertThat(exported.out()).contains("Exported 3 instance(s)");
        assertThat(Files.readAllLines(file)).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{\"formatVersion\":1,"));

        CliRunner.Result imported = run(0, target.name, "import", file.toString());
        assertThat(imported.out()).contains("Imported 3, replaced 0, skipped 0, failed 0");
        assertThat(target.provider.getHistory("order-1")).containsExactlyElementsOf(source.provider.getHistory("order-1"));
        assertThat(target.client.getInstanceMetadata("order-2", true).orElseThrow().serializedOutput())
                .isEqualTo(source.client.getInstanceMetadata("order-2", true).orElseThrow().serializedOutput());

        target.client.raiseEvent("order-3", "Approval", true);
        OrchestrationMetadata approved = target.client.waitForInstanceCompletion("order-3", Duration.ofSeconds(20), Duration.ofMillis(50));
        assertThat(approved.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(approved.readOutputAs(String.class)).isEqualTo("Approved");

        JsonNode again = JSON.readTree(run(0, target.name, "import", file.toString(), "--json").out());
        assertThat(again.get("skipped").asLong()).isEqualTo(3);
        assertThat(again.get("imported").asLong() + again.get("replaced").asLong() + again.get("failed").asLong()).isZero();
        assertThat(again.get("problems").get(0).get("outcome").asText()).isEqualTo("Skipped");
    }

    private static void awaitTimer(TestHub hub, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (hub.provider.getHistory(id).stream().noneMatch(HistoryEvent.TimerCreated.class::isInstance)) {
            assertThat(System.nanoTime()).as("%s created its timer in time", id).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void exportToStdout_andBadLinesFailWithTheirNumber() throws IOException {
        source.client.scheduleNewOrchestrationInstance("E1_HelloSequence", null, NewOrchestrationOptions.withInstanceId("one"));
        source.client.waitForInstanceCompletion("one", Duration.ofSeconds(20), Duration.ofMillis(50));

        CliRunner.Result exported = run(0, source.name, "export", "--runtime-status", "Completed");
        assertThat(exported.out().lines()).hasSize(1);
        assertThat(exported.err()).contains("Exported 1 instance(s)");

        Path file = dir.resolve("mixed.jsonl");
        Files.writeString(file, "garbage\n" + exported.out());
        CliRunner.Result imported = run(1, target.name, "import", file.toString());
        assertThat(imported.out()).contains("Imported 1, replaced 0, skipped 0, failed 1").contains("line 1: failed: Line 1 is not an exported instance");
        assertThat(target.client.getInstanceMetadata("one", false)).isPresent();

        assertThat(run(1, target.name, "import", dir.resolve("missing.jsonl").toString()).err()).contains("no such file");
        assertThat(run(2, target.name, "import", file.toString(), "--id-reuse-policy", "SOMETIMES").err()).contains("--id-reuse-policy");
        // policies in any case; the same file again under always_replace replaces the instance it imported
        assertThat(run(1, target.name, "import", file.toString(), "--id-reuse-policy", "always_replace").out())
                .contains("Imported 0, replaced 1, skipped 0, failed 1");
    }

    @Test
    void exportAndImportThroughTheHttpApi_withUrl() throws IOException {
        source.client.scheduleNewOrchestrationInstance("E1_HelloSequence", null, NewOrchestrationOptions.withInstanceId("web-1"));
        source.client.waitForInstanceCompletion("web-1", Duration.ofSeconds(20), Duration.ofMillis(50));
        source.client.scheduleNewOrchestrationInstance("E4_HumanApproval", 600, NewOrchestrationOptions.withInstanceId("web-2"));
        awaitTimer(source, "web-2");
        source.worker.close();
        String sourceUrl = source.serve("k1").baseUrl();
        String targetUrl = target.serve("k2").baseUrl();

        Path file = dir.resolve("web.jsonl");
        CliRunner.Result exported = cli.run("export", "--url", sourceUrl, "--key", "k1", "--output", file.toString());
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        assertThat(exported.out()).contains("Exported 2 instance(s)");
        assertThat(Files.readAllLines(file)).hasSize(2);

        CliRunner.Result imported = cli.run("import", file.toString(), "--url", targetUrl, "--key", "k2", "--json");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(JSON.readTree(imported.out()).get("imported").asLong()).isEqualTo(2);
        assertThat(target.provider.getHistory("web-1")).containsExactlyElementsOf(source.provider.getHistory("web-1"));
        target.client.raiseEvent("web-2", "Approval", false);
        assertThat(target.client.waitForInstanceCompletion("web-2", Duration.ofSeconds(20), Duration.ofMillis(50))
                .readOutputAs(String.class)).isEqualTo("Rejected");

        CliRunner.Result badPolicy = cli.run("import", file.toString(), "--url", targetUrl, "--key", "wrong");
        assertThat(badPolicy.exitCode()).isEqualTo(1);
        assertThat(badPolicy.err()).contains("--key");
    }
}
